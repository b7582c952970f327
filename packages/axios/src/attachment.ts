import type { LoyalAuth } from '@loyal-auth/core'
import type { AxiosAdapter, AxiosRequestConfig } from 'axios'
import type { RequestTarget } from './request-target.js'

export type RedirectHook = NonNullable<AxiosRequestConfig['beforeRedirect']>

/** What one `attachLoyalAuth` call shares with every request it authorises. */
export interface Attachment {
  readonly auth: LoyalAuth
  readonly isApiRequest: (config: RequestTarget) => boolean
  readonly retryOnUnauthorized: boolean
  /** Our adapter around the request's own (made once per original, see {@link wrapperCache}). */
  readonly adapterFor: (original: unknown) => AxiosAdapter
  /** Our `beforeRedirect` around the request's own. */
  readonly redirectHookFor: (original: unknown) => RedirectHook
}

// Global symbols, so a second copy of this package recognises what the first one installed.
export const originalMark = Symbol.for('loyal-auth.axios.original')

/** Marks `wrapper` as ours and remembers what it wraps, so wrapping twice never stacks. */
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

/**
 * The wrapper of one attachment around one original adapter or hook, made once and reused for
 * every request with the same original: a function made per request is garbage per request.
 * axios copies an adapter list (`['xhr', 'http', 'fetch']`) into each request's config, so
 * lists with the same entries count as the same original.
 */
export function wrapperCache<W extends object>(
  wrap: (original: unknown) => W
): (original: unknown) => W {
  let lastOriginal: unknown
  let lastWrapper: W | undefined

  return function wrapperFor(original) {
    if (lastWrapper !== undefined && sameOriginal(original, lastOriginal)) return lastWrapper

    lastWrapper = markWrapper(wrap(original), original)
    lastOriginal = original

    return lastWrapper
  }
}

function sameOriginal(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false

  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false

  return true
}
