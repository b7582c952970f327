import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import {
  type ApiProxyOptions,
  checkAuthOption,
  createApiProxy,
  type LoyalAuth,
  type LoyalAuthSource,
  loyalAuthResolver,
  type ProxyRequest,
  settleLoyalAuth,
  withConfigErrors,
} from '@loyal-auth/core'
import type { NextFunction, Request, RequestHandler, Response } from 'express'
import { rememberFailedAuth } from './failed-auth.js'

export interface LoyalProxyOptions extends ApiProxyOptions {
  /** The `LoyalAuth` whose token is used, or a function of the request that picks one. */
  auth: LoyalAuthSource<Request>
}

/**
 * Forwards allow-listed browser requests to the Loyal API with the server's token and streams
 * the answer back. The browser's `Authorization` and `Cookie` never go upstream; credentials,
 * cookies and any header echoing our key or token never come back. Anything not on `allow`
 * (and any path trying to escape it) gets `403 { "error": "route_not_allowed" }`.
 *
 * @example
 * app.use('/loyal', loyalProxy({ auth, allow: ['GET /empower/*'] }))
 * // GET /loyal/empower/rollups -> GET {baseUrl}/empower/rollups
 */
export function loyalProxy(options: LoyalProxyOptions): RequestHandler {
  checkAuthOption('loyalProxy', options)

  const resolveAuth = loyalAuthResolver(options.auth)
  const proxy = withConfigErrors('loyalProxy', () => createApiProxy(options))

  return function loyalProxyMiddleware(req: Request, res: Response, next: NextFunction): void {
    const browserGone = new AbortController()

    res.once('close', () => browserGone.abort())

    // Once the browser has gone there is nobody left to answer.
    forward(req, res, browserGone.signal).catch((error: unknown) => {
      if (!browserGone.signal.aborted) next(error)
    })
  }

  async function forward(req: Request, res: Response, signal: AbortSignal): Promise<void> {
    let auth: LoyalAuth | undefined
    let response: globalThis.Response

    try {
      auth = await settleLoyalAuth(resolveAuth(req))
      response = await proxy.forward(auth, {
        method: req.method,
        url: req.url,
        headers: req.headers,
        ...requestBody(req),
        signal,
      })
    } catch (error) {
      rememberFailedAuth(req, auth)
      throw error
    }

    await send(res, response)
  }
}

// A body parser (express.json() and friends) may have read the stream already. Express 4's
// parsers mark a real parse with `req._body`; Express 5's leave no mark.
function requestBody(req: Request): Pick<ProxyRequest, 'body' | 'parsedBody' | 'parseTrace'> {
  if (!req.readableEnded) return { body: req }

  const marked = (req as { _body?: unknown })._body === true

  return { parsedBody: req.body, parseTrace: marked ? { marked } : {} }
}

async function send(res: Response, response: globalThis.Response): Promise<void> {
  res.status(response.status)
  for (const [name, value] of response.headers) res.append(name, value)

  if (response.body === null) {
    res.end()

    return
  }

  await pipeline(Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>), res)
}
