import {
  checkAuthOption,
  createLoyalContext,
  isLoyalAuth,
  type LoyalAuth,
  type LoyalAuthSource,
  type LoyalContext,
  loyalAuthResolver,
  settleLoyalAuth,
} from '@loyal-auth/core'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { setLoyalContext } from './context-accessor.js'
import { rememberFailedAuth } from './failed-auth.js'

declare global {
  namespace Express {
    interface Request {
      /** Set by `loyal()`; absent on routes it does not run in front of. */
      loyal: LoyalContext
    }
  }
}

export interface LoyalOptions {
  /**
   * The `LoyalAuth` to use, or a function of the request that picks one (a tenant per API
   * key: each `LoyalAuth` keeps its own token).
   */
  auth: LoyalAuthSource<Request>
}

/**
 * Puts `req.loyal` (`auth`, `token`, a bound `fetch`, `can`) on every request. With a usable
 * token cached it calls `next()` synchronously; only a cold cache waits for the token
 * endpoint. Failures reach `next(err)` once, as a `LoyalError` (see `loyalErrorHandler`).
 *
 * @example
 * const auth = new LoyalAuth({ apiKey: process.env.LOYAL_API_KEY! })
 * app.use(loyal({ auth }))
 * app.get('/rollups', async (req, res) => {
 *   const response = await req.loyal.fetch('/empower/rollups')
 *   const body = await response.json()
 *   const error = errorFromResponse(response, 'GET', '/empower/rollups', body) // 401/403
 *
 *   if (error) throw error
 *   res.status(response.status).json(body)
 * })
 * @throws LoyalError `config` at setup when `options` or `options.auth` is not usable.
 */
export function loyal(options: LoyalOptions): RequestHandler {
  checkAuthOption('loyal', options)

  const resolveAuth = loyalAuthResolver(options.auth)

  return function loyalMiddleware(req: Request, _res: Response, next: NextFunction): void {
    let auth: LoyalAuth | PromiseLike<LoyalAuth>

    try {
      auth = resolveAuth(req)
    } catch (error) {
      next(error)

      return
    }

    // Hot path: no promise, no microtask.
    const token = isLoyalAuth(auth) ? auth.peekToken() : undefined

    if (token !== undefined) {
      setLoyalContext(req, createLoyalContext(auth as LoyalAuth, token))
      next()

      return
    }

    void attachWhenReady(req, auth, next)
  }
}

// Never rejects: every failure goes to `next(err)`, and `next()` runs outside the `try`, so an
// error thrown further down cannot make us call `next` twice.
async function attachWhenReady(
  req: Request,
  pending: LoyalAuth | PromiseLike<LoyalAuth>,
  next: NextFunction
): Promise<void> {
  let auth: LoyalAuth | undefined

  try {
    auth = await settleLoyalAuth(pending)
    setLoyalContext(req, createLoyalContext(auth, await auth.getToken()))
  } catch (error) {
    rememberFailedAuth(req, auth)
    next(error)

    return
  }

  next()
}
