import type { LoyalAuth } from './loyal-auth.js'
import { LoyalError } from './loyal-error.js'
import type { LoyalToken } from './loyal-token.js'

/**
 * What a framework adapter hands each request (`req.loyal` in Express, `ctx.state.loyal` in
 * Koa): the `LoyalAuth` serving it, the token current when it came in, and two shortcuts.
 */
export interface LoyalContext {
  /** The `LoyalAuth` serving this request (the tenant's, when chosen per request). */
  readonly auth: LoyalAuth
  /** The token that was current when the request came in; `fetch` always uses the current one. */
  readonly token: LoyalToken
  /** `auth.fetch`, bound: Bearer added, one retry after a 401. */
  readonly fetch: LoyalAuth['fetch']
  /** `token.can(action, resource)`: `undefined` when the token carries no scope information. */
  readonly can: (action: string, resource: string) => boolean | undefined
}

/**
 * Which `LoyalAuth` serves a request: one for the whole app, or a function of the request that
 * picks one (one `LoyalAuth` per tenant, so tenants' tokens stay apart). The function may return
 * a promise; a synchronous answer keeps an adapter's hot path free of promises.
 */
export type LoyalAuthSource<Request> =
  | LoyalAuth
  | ((request: Request) => LoyalAuth | PromiseLike<LoyalAuth>)

const boundFetches = new WeakMap<LoyalAuth, LoyalAuth['fetch']>()

// Everything in a context follows from its auth and token, so requests served with the same
// token share one (frozen) context instead of each allocating its own.
const contextOfToken = new WeakMap<LoyalToken, RequestLoyalContext>()

class RequestLoyalContext implements LoyalContext {
  readonly auth: LoyalAuth
  readonly token: LoyalToken
  readonly fetch: LoyalAuth['fetch']
  // An own arrow, like `fetch`, so `const { fetch, can } = req.loyal` works.
  readonly can: (action: string, resource: string) => boolean | undefined

  constructor(auth: LoyalAuth, token: LoyalToken) {
    this.auth = auth
    this.token = token
    this.fetch = boundFetch(auth)
    this.can = (action, resource) => token.can(action, resource)
    Object.freeze(this)
  }

  toJSON(): object {
    return { token: this.token }
  }
}

/**
 * The per-request view adapters expose: frozen, and the same object for every request served
 * with the same token, so it costs a request no allocation.
 */
export function createLoyalContext(auth: LoyalAuth, token: LoyalToken): LoyalContext {
  const cached = contextOfToken.get(token)
  if (cached?.auth === auth) return cached

  const context = new RequestLoyalContext(auth, token)
  contextOfToken.set(token, context)

  return context
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

/**
 * Checks an adapter's `auth` option once, at setup; throws `TypeError` when it is neither a
 * `LoyalAuth` nor a function.
 */
export function loyalAuthResolver<Request>(
  source: LoyalAuthSource<Request>
): (request: Request) => LoyalAuth | PromiseLike<LoyalAuth> {
  if (typeof source === 'function') return source

  if (isLoyalAuth(source)) return () => source

  throw new TypeError('"auth" must be a LoyalAuth or a function of the request returning one')
}

/** True for anything shaped like a `LoyalAuth`, also from another copy of the package. */
export function isLoyalAuth(value: unknown): value is LoyalAuth {
  const candidate = value as Partial<LoyalAuth> | null | undefined

  return typeof candidate?.peekToken === 'function' && typeof candidate.getToken === 'function'
}

/** Awaits what an `auth` function returned; a `config` error when it is no `LoyalAuth`. */
export async function settleLoyalAuth(
  pending: LoyalAuth | PromiseLike<LoyalAuth>
): Promise<LoyalAuth> {
  const auth = await pending

  if (!isLoyalAuth(auth)) {
    throw new LoyalError('config', 'The "auth" function did not return a LoyalAuth')
  }

  return auth
}
