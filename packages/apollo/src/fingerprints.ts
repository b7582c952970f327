import type { LoyalAuth } from '@loyal-auth/core'

// One hash per credential for the life of the process: the fingerprint only names the
// credential in cache keys, so computing it per request would buy nothing.
const known = new WeakMap<LoyalAuth, string>()
const pending = new WeakMap<LoyalAuth, Promise<string>>()

/** The fingerprint of `auth` once it is known: the usual request then awaits nothing. */
export function knownFingerprint(auth: LoyalAuth): string | undefined {
  return known.get(auth)
}

/**
 * `auth.fingerprint()`, asked once per `LoyalAuth` however many operations start together; a
 * failure (an `apiKey` function that threw) is not kept, so the next operation asks again.
 */
export function fingerprintOf(auth: LoyalAuth): Promise<string> {
  let fingerprint = pending.get(auth)

  if (fingerprint === undefined) {
    fingerprint = auth.fingerprint().then(
      (value) => {
        known.set(auth, value)

        return value
      },
      (error: unknown) => {
        pending.delete(auth)
        throw error
      }
    )
    pending.set(auth, fingerprint)
  }

  return fingerprint
}
