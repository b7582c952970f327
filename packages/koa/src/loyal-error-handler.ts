import { isLoyalError, type LoyalAuth, loyalErrorResponse } from '@loyal-auth/core'
import type { Middleware, Next } from 'koa'
import { failedAuthOf } from './failed-auth.js'
import type { KoaContext } from './loyal.js'

/**
 * Put it first: answers `LoyalError`s thrown further down with `{ "error": code,
 * "message": ... }` and the code's status from core's table (`error.httpStatus`: 502 token
 * endpoint or key, 504 timeout, 403 scope). The message goes through core's redaction; no
 * `WWW-Authenticate` is sent, since the failed credentials are the server's, not the caller's.
 * Other errors are rethrown untouched; 5xx ones are still emitted as the app's `error` event,
 * so logging keeps working.
 *
 * @example
 * app.use(loyalErrorHandler())
 * app.use(loyal({ auth }))
 * app.use(router.routes())
 */
export function loyalErrorHandler(): Middleware {
  return async function loyalErrorHandlerMiddleware(ctx: KoaContext, next: Next): Promise<void> {
    try {
      await next()
    } catch (error) {
      if (!isLoyalError(error) || ctx.headerSent) throw error

      const auth = ctx.state.loyal?.auth ?? failedAuthOf(ctx)
      const { status, headers, body } = loyalErrorResponse(error, redactorOf(auth))

      ctx.remove('WWW-Authenticate')
      ctx.set(headers)
      ctx.status = status
      ctx.body = body

      if (status >= 500) ctx.app.emit('error', error, ctx)
    }
  }
}

/** The credential's own redaction when known, else core's generic one. */
function redactorOf(auth: LoyalAuth | undefined): ((text: string) => string) | undefined {
  return auth === undefined ? undefined : (text) => auth.redact(text)
}
