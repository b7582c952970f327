import { type LoyalAuth, LoyalError } from '@loyal-auth/core'

/**
 * Which `LoyalAuth` serves a request: one for the whole app, or a function of the request
 * that picks one (one `LoyalAuth` per tenant, so tenants' tokens stay apart). The function may
 * return a promise; a synchronous answer keeps the hot path free of promises.
 */
export type AuthOption<Request> =
  | LoyalAuth
  | ((request: Request) => LoyalAuth | PromiseLike<LoyalAuth>)

export type AuthResolver<Request> = (request: Request) => LoyalAuth | PromiseLike<LoyalAuth>

/** Checks the `auth` option once, at setup; throws `TypeError` when it is neither form. */
export function authResolver<Request>(option: AuthOption<Request>): AuthResolver<Request> {
  if (typeof option === 'function') return option

  if (isLoyalAuth(option)) return () => option

  throw new TypeError('"auth" must be a LoyalAuth or a function of the request returning one')
}

export function isLoyalAuth(value: unknown): value is LoyalAuth {
  const candidate = value as Partial<LoyalAuth> | null | undefined

  return typeof candidate?.peekToken === 'function' && typeof candidate.getToken === 'function'
}

/** Awaits what an `auth` function returned and checks it is a `LoyalAuth`. */
export async function settleAuth(pending: LoyalAuth | PromiseLike<LoyalAuth>): Promise<LoyalAuth> {
  const auth = await pending

  if (!isLoyalAuth(auth)) {
    throw new LoyalError('config', 'The "auth" function did not return a LoyalAuth')
  }

  return auth
}
