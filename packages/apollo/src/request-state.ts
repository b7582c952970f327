import type { LoyalAuth } from '@loyal-auth/core'

/**
 * What one request of a data source carries from `fetch` down to the fetcher and the cache-key
 * hooks: whose credential it uses and that credential's fingerprint.
 */
export interface RequestState {
  readonly auth: LoyalAuth
  /** `auth.fingerprint()`: a hash of base URL and API key, safe to put in a cache key. */
  readonly fingerprint: string
  /**
   * The URL `resolveURL` made for the request, so the fetcher need not parse the string
   * RESTDataSource hands it again.
   */
  url?: URL
}

// A symbol key rides along every copy RESTDataSource makes of the request (`{ ...request }`),
// and no fetch implementation reads it.
const stateKey = Symbol('loyal-auth.request-state')

type Tagged = { [stateKey]?: RequestState }

/** Returns a copy of `request`, with `changes`, that carries `state`. */
export function withState<R extends object>(
  request: R,
  state: RequestState,
  changes: Partial<R> = {}
): R {
  return { ...request, ...changes, [stateKey]: state }
}

/** The state a request carries, if it went through `LoyalDataSource.fetch`. */
export function stateOf(request: object | undefined): RequestState | undefined {
  return (request as Tagged | undefined)?.[stateKey]
}

/** A copy of `request` without the state, for handing to a fetch implementation. */
export function withoutState<R extends object>(request: R): R {
  const { [stateKey]: _state, ...rest } = request as R & Tagged

  return rest as R
}
