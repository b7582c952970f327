import type { LoyalAuth, LoyalToken } from '@loyal-auth/core'

/** What `loyal()` sets on `ctx.state.loyal` for the middleware after it. */
export interface LoyalContext {
  /** The `LoyalAuth` serving this request (the tenant's, with an `auth` function). */
  readonly auth: LoyalAuth
  /** The token that was current when the request came in; `fetch` always uses the current one. */
  readonly token: LoyalToken
  /** `auth.fetch`, bound: Bearer added, one retry after a 401. */
  readonly fetch: LoyalAuth['fetch']
  /** `token.can(action, resource)`: `undefined` when the token carries no scope information. */
  can(action: string, resource: string): boolean | undefined
}

const boundFetches = new WeakMap<LoyalAuth, LoyalAuth['fetch']>()

class RequestLoyalContext implements LoyalContext {
  readonly auth: LoyalAuth
  readonly token: LoyalToken
  readonly fetch: LoyalAuth['fetch']
  // An own arrow, like `fetch`, so `const { fetch, can } = ...` works.
  readonly can: (action: string, resource: string) => boolean | undefined

  constructor(auth: LoyalAuth, token: LoyalToken) {
    this.auth = auth
    this.token = token
    this.fetch = boundFetch(auth)
    this.can = (action, resource) => token.can(action, resource)
  }

  toJSON(): object {
    return { token: this.token }
  }
}

export function createLoyalContext(auth: LoyalAuth, token: LoyalToken): LoyalContext {
  return new RequestLoyalContext(auth, token)
}

// One bound function per LoyalAuth, not one per request.
function boundFetch(auth: LoyalAuth): LoyalAuth['fetch'] {
  let fetch = boundFetches.get(auth)

  if (fetch === undefined) {
    fetch = auth.fetch.bind(auth)
    boundFetches.set(auth, fetch)
  }

  return fetch
}
