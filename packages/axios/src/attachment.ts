import type { LoyalAuth, LoyalToken } from '@loyal-auth/core'
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

/**
 * What one API request carries, on its config under {@link requestState}: the token it was
 * sent with (the adapter fills it on a cold cache, the 401 retry replaces it) and the target the
 * interceptor found to be the API, so the adapter tests the origin again only when it changed.
 */
export interface RequestState {
  token: LoyalToken | undefined
  readonly url: unknown
  readonly baseURL: unknown
  readonly allowAbsoluteUrls: unknown
}

// A symbol of this copy only: a config marked by another copy is authorised by that copy.
export const requestState = Symbol('loyal-auth.axios.request')

export type StatefulConfig = RequestTarget & { [requestState]?: RequestState }

/** The request's state, set by the interceptor; `undefined` for a config it did not authorise. */
export function stateOf(config: StatefulConfig): RequestState | undefined {
  return config[requestState]
}

/** True while the request still goes where the interceptor saw it go. */
export function sameTarget(config: RequestTarget, state: RequestState): boolean {
  return (
    config.url === state.url &&
    config.baseURL === state.baseURL &&
    config.allowAbsoluteUrls === state.allowAbsoluteUrls
  )
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

/** True for an adapter or hook installed by this package. */
export function isOurWrapper(value: unknown): boolean {
  return typeof value === 'function' && originalMark in value
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
