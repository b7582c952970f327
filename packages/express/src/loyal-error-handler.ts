import { isLoyalError, type LoyalAuth, loyalErrorResponse } from '@loyal-auth/core'
import type { ErrorRequestHandler, NextFunction, Request, Response } from 'express'
import { failedAuthOf } from './failed-auth.js'

/**
 * Answers `LoyalError`s with `{ "error": code, "message": ... }` and the code's status from
 * core's table (`error.httpStatus`: 502 token endpoint or key, 504 timeout, 403 scope). The
 * message goes through core's redaction; no `WWW-Authenticate` is sent, since the failed
 * credentials are the server's, not the caller's. Other errors, and errors after the headers
 * went out, pass on to the next error handler.
 *
 * @example
 * app.use(loyal({ auth }))
 * app.use(routes)
 * app.use(loyalErrorHandler())
 */
export function loyalErrorHandler(): ErrorRequestHandler {
  return function loyalErrorHandlerMiddleware(
    error: unknown,
    req: Request,
    res: Response,
    next: NextFunction
  ): void {
    if (!isLoyalError(error) || res.headersSent) {
      next(error)

      return
    }

    const auth = req.loyal?.auth ?? failedAuthOf(req)
    const { status, headers, body } = loyalErrorResponse(error, redactorOf(auth))

    res.removeHeader('WWW-Authenticate')
    res.status(status).set(headers).json(body)
  }
}

/** The credential's own redaction when known, else core's generic one. */
function redactorOf(auth: LoyalAuth | undefined): ((text: string) => string) | undefined {
  return auth === undefined ? undefined : (text) => auth.redact(text)
}
