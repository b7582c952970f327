import type { LoyalAuth } from '@loyal-auth/core'
import { type CallSite, internalError } from './graphql-errors.js'

/**
 * An error of the user's own code (a hook such as `willSendRequest`, a `parseBody` override, a
 * cache backend), handed on as RESTDataSource would: the same error, so that resolvers can
 * still tell it by its class and Apollo Server reports it as any other (`INTERNAL_SERVER_ERROR`).
 * Only a key or token it quotes is redacted, in its message and stack. An error that cannot be
 * changed, and quotes one, becomes the `INTERNAL_SERVER_ERROR` Apollo would have made of it.
 */
export function ownError(error: unknown, site: CallSite & { auth: LoyalAuth }): unknown {
  const { auth } = site

  if (typeof error === 'string') return auth.redact(error)
  if (!(error instanceof Error)) return error

  const redacted = redactField(error, 'message', auth) && redactField(error, 'stack', auth)

  return redacted ? error : internalError(error, site)
}

// Writes only when there is something to hide: most errors quote no secret and stay untouched.
function redactField(error: Error, field: 'message' | 'stack', auth: LoyalAuth): boolean {
  const text = error[field]

  if (typeof text !== 'string') return true

  const redacted = auth.redact(text)

  if (redacted === text) return true

  try {
    Object.defineProperty(error, field, { value: redacted, writable: true, configurable: true })

    return true
  } catch {
    return false
  }
}
