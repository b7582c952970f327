import { Readable } from 'node:stream'
import type { ReadableStream as NodeReadableStream } from 'node:stream/web'
import {
  type ApiProxyOptions,
  checkAuthOption,
  configError,
  createApiProxy,
  type LoyalAuth,
  type LoyalAuthSource,
  loyalAuthResolver,
  type ProxyRequest,
  settleLoyalAuth,
  withConfigErrors,
} from '@loyal-auth/core'
import type { Middleware, Next } from 'koa'
import { rememberFailedAuth } from './failed-auth.js'
import type { KoaContext } from './loyal.js'

export interface LoyalProxyOptions extends ApiProxyOptions {
  /** The `LoyalAuth` whose token is used, or a function of the context that picks one. */
  auth: LoyalAuthSource<KoaContext>
  /**
   * Where the proxy lives, e.g. `'/loyal'`: requests outside it go to `next()`, and the prefix
   * is cut before matching `allow`. Default `''`: every request is the proxy's.
   */
  prefix?: string
}

/**
 * Forwards allow-listed browser requests to the Loyal API with the server's token and streams
 * the answer back. The browser's `Authorization` and `Cookie` never go upstream; credentials,
 * cookies and any header echoing our key or token never come back. Anything under `prefix`
 * that is not on `allow` (and any path trying to escape it) gets
 * `403 { "error": "route_not_allowed" }`.
 *
 * @example
 * app.use(loyalProxy({ auth, prefix: '/loyal', allow: ['GET /empower/*'] }))
 * // GET /loyal/empower/rollups -> GET {baseUrl}/empower/rollups
 */
export function loyalProxy(options: LoyalProxyOptions): Middleware {
  checkAuthOption('loyalProxy', options, 'context')

  const resolveAuth = loyalAuthResolver(options.auth)
  const proxy = withConfigErrors('loyalProxy', () => createApiProxy(options))
  const prefix = checkedPrefix(options.prefix)

  return async function loyalProxyMiddleware(ctx: KoaContext, next: Next): Promise<void> {
    const url = withoutPrefix(ctx.url, prefix)

    if (url === undefined) return next()

    let auth: LoyalAuth | undefined

    try {
      auth = await settleLoyalAuth(resolveAuth(ctx))

      const response = await proxy.forward(auth, {
        method: ctx.method,
        url,
        headers: ctx.headers,
        ...requestBody(ctx),
        signal: browserGone(ctx),
      })

      send(ctx, response)
    } catch (error) {
      rememberFailedAuth(ctx, auth)
      throw error
    }
  }
}

function checkedPrefix(prefix: string | undefined): string {
  if (prefix === undefined || prefix === '') return ''

  if (typeof prefix !== 'string' || !prefix.startsWith('/') || prefix.endsWith('/')) {
    throw configError(
      'loyalProxy(): "prefix" must start with "/" and not end with one, e.g. "/loyal"'
    )
  }

  return prefix
}

function withoutPrefix(url: string, prefix: string): string | undefined {
  if (prefix === '') return url

  if (!url.startsWith(prefix)) return undefined

  const rest = url.slice(prefix.length)

  if (rest === '' || rest.startsWith('?')) return `/${rest}`

  return rest.startsWith('/') ? rest : undefined
}

// A body parser (koa-bodyparser and friends) may have read the stream already. Those built on
// co-body keep the text they decoded, always as UTF-8, in `rawBody`, and only for a real parse.
function requestBody(ctx: KoaContext): Pick<ProxyRequest, 'body' | 'parsedBody' | 'parseTrace'> {
  if (!ctx.req.readableEnded) return { body: ctx.req }

  const { body, rawBody } = ctx.request as { body?: unknown; rawBody?: unknown }
  const trace = typeof rawBody === 'string' ? coBodyTrace(rawBody) : {}

  return { parsedBody: body, parseTrace: trace }
}

function coBodyTrace(rawText: string): ProxyRequest['parseTrace'] {
  return { marked: true, rawText, utf8Only: true }
}

function browserGone(ctx: KoaContext): AbortSignal {
  const controller = new AbortController()

  ctx.res.once('close', () => controller.abort())

  return controller.signal
}

function send(ctx: KoaContext, response: Response): void {
  ctx.status = response.status
  for (const [name, value] of response.headers) ctx.append(name, value)

  // `null` would turn the status into 204; an empty body keeps it.
  ctx.body =
    response.body === null ? '' : Readable.fromWeb(response.body as NodeReadableStream<Uint8Array>)
}
