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
import type { Middleware, Next, ParameterizedContext } from 'koa'
import { rememberFailedAuth } from './failed-auth.js'

/** The state `loyal()` adds, for apps and routers typed with their own state. */
export interface LoyalState {
  loyal: LoyalContext
}

declare module 'koa' {
  interface DefaultState {
    /** Set by `loyal()`; absent in middleware it does not run in front of. */
    loyal: LoyalContext
  }
}

/** A Koa context, as seen by an `auth` function. */
export type KoaContext = ParameterizedContext

export interface LoyalOptions {
  /**
   * The `LoyalAuth` to use, or a function of the context that picks one (a tenant per API
   * key: each `LoyalAuth` keeps its own token).
   */
  auth: LoyalAuthSource<KoaContext>
}

/**
 * Puts `ctx.state.loyal` (`auth`, `token`, a bound `fetch`, `can`) on every request, then
 * awaits `next()`. With a usable token cached it adds no promise of its own; only a cold cache
 * waits for the token endpoint. Token failures are thrown as `LoyalError`s (see
 * `loyalErrorHandler`); errors of later middleware pass through untouched.
 *
 * @example
 * const auth = new LoyalAuth({ apiKey: process.env.LOYAL_API_KEY! })
 * app.use(loyal({ auth }))
 * app.use(async (ctx) => {
 *   const response = await ctx.state.loyal.fetch('/empower/rollups')
 *   const body = await response.json()
 *   const error = errorFromResponse(response, 'GET', '/empower/rollups', body) // 401/403
 *
 *   if (error) throw error
 *   ctx.status = response.status
 *   ctx.body = body
 * })
 * @throws LoyalError `config` at setup when `options` or `options.auth` is not usable.
 */
export function loyal(options: LoyalOptions): Middleware {
  checkAuthOption('loyal', options, 'context')

  const resolveAuth = loyalAuthResolver(options.auth)

  return function loyalMiddleware(ctx: KoaContext, next: Next): Promise<unknown> {
    const auth = resolveAuth(ctx)

    // Hot path: hand back downstream's own promise, adding none of ours.
    const token = isLoyalAuth(auth) ? auth.peekToken() : undefined

    if (token !== undefined) {
      ctx.state.loyal = createLoyalContext(auth as LoyalAuth, token)

      return next()
    }

    return attachWhenReady(ctx, auth, next)
  }
}

async function attachWhenReady(
  ctx: KoaContext,
  pending: LoyalAuth | PromiseLike<LoyalAuth>,
  next: Next
): Promise<void> {
  let auth: LoyalAuth | undefined

  try {
    auth = await settleLoyalAuth(pending)
    ctx.state.loyal = createLoyalContext(auth, await auth.getToken())
  } catch (error) {
    rememberFailedAuth(ctx, auth)
    throw error
  }

  // Outside the `try`: later middleware's errors are not ours to touch.
  await next()
}
