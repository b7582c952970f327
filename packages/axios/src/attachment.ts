import type { LoyalAuth, LoyalToken } from '@loyal-auth/core'
import type { ApiRequestTest } from './request-target.js'

/** What one `attachLoyalAuth` call shares with every request it authorises. */
export interface Attachment {
  readonly auth: LoyalAuth
  readonly isApiRequest: ApiRequestTest
  readonly retryOnUnauthorized: boolean
}

/** The token one request carries; the adapter fills it on a cold cache, the 401 retry replaces it. */
export interface SentToken {
  token: LoyalToken | undefined
}

// Global symbols, so a second copy of this package recognises what the first one installed.
export const originalMark = Symbol.for('loyal-auth.axios.original')

/**
 * Marks `wrapper` as ours and remembers what it wraps, so wrapping twice never stacks.
 *
 * This runs twice per request, so the mark is a plain assignment: `Object.defineProperty` on a
 * fresh function takes V8's slow path, about 1 µs a call on a 2-core VM against 0.1 µs for the
 * assignment (see bench/). The mark's shape, `{ original }`, is what other copies read.
 */
export function markWrapper<T extends object>(wrapper: T, original: unknown): T {
  const marked = wrapper as T & { [originalMark]?: { original: unknown } }
  marked[originalMark] = { original }

  return wrapper
}

/** What a wrapper of ours wraps; `value` itself when it is not one of ours. */
export function unwrap<T>(value: T): T {
  if (typeof value !== 'function') return value

  const mark = (value as { [originalMark]?: { original: T } })[originalMark]

  return mark === undefined ? value : mark.original
}

/** True for an adapter or hook installed by this package. */
export function isOurWrapper(value: unknown): boolean {
  return typeof value === 'function' && originalMark in value
}
