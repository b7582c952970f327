import type { LoyalAuth } from '@loyal-auth/core'

// One hash per credential for the life of the process: the fingerprint only names the
// credential in cache keys, so computing it per request would buy nothing.
const known = new WeakMap<LoyalAuth, string>()

/** `auth.fingerprint()`, remembered per `LoyalAuth` once it resolved. */
export async function fingerprintOf(auth: LoyalAuth): Promise<string> {
  const cached = known.get(auth)

  if (cached !== undefined) return cached

  const fingerprint = await auth.fingerprint()

  known.set(auth, fingerprint)

  return fingerprint
}
