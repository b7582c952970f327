import { discardBody } from './discard-body.js'
import type { ParseTrace, UpstreamBody } from './parsed-body.js'
import { compileAllowList, type ProxyAllowList } from './proxy-allow-list.js'
import { readProxyBody, tooLarge } from './proxy-body.js'
import {
  forwardedHeaderNames,
  type IncomingHeaders,
  proxyRequestHeaders,
  proxyResponseHeaders,
} from './proxy-headers.js'
import { fetchUpstream } from './proxy-upstream.js'

/** What the proxy needs of a `LoyalAuth`. */
export interface ApiProxyAuth {
  fetch(pathOrUrl: string, init?: RequestInit): Promise<Response>
  redact(text: string): string
  resolveUrl(pathOrUrl: string): URL
  isApiUrl(url: URL): boolean
}

/** Options of {@link createApiProxy}, shared by the Express and Koa `loyalProxy()`. */
export interface ApiProxyOptions {
  /** Routes that may pass, e.g. `['GET /empower/*', 'POST /empower/providers/totals']`. */
  allow: ProxyAllowList
  /** Browser headers to forward besides {@link FORWARDED_REQUEST_HEADERS}. */
  forwardHeaders?: readonly string[]
  /** Largest request body passed on, in bytes; larger ones get 413. Default 1 MiB. */
  maxBodySize?: number
  /** Milliseconds to wait for the API's response headers; then `timeout` (504). Default 30 s. */
  timeoutDuration?: number
}

/** One browser request, as an adapter hands it over. */
export interface ProxyRequest {
  method: string
  /** Path and query relative to where the proxy is mounted, exactly as received. */
  url: string
  headers: IncomingHeaders
  /** The unread body (a Node request is an async iterable of chunks). */
  body?: AsyncIterable<Uint8Array> | undefined
  /**
   * A body a parser has already read (`req.body`), sent re-encoded to match its content type:
   * objects as a form under a form type, as JSON otherwise. Present but `undefined` when the
   * stream was read and no body left: refused if the browser had sent one.
   */
  parsedBody?: unknown
  /** What the adapter can tell of how the parser made {@link parsedBody}. */
  parseTrace?: ParseTrace
  /** Aborts the upstream request, e.g. when the browser goes away. */
  signal?: AbortSignal | undefined
}

export interface ApiProxy {
  /**
   * Forwards an allowed request with the server's token and returns what the browser may see:
   * the upstream status and body (error bodies redacted) with credential headers removed, or a
   * 403 `route_not_allowed` without any upstream request.
   *
   * @throws LoyalError from `auth.fetch` (token failures, `unauthorized`), `timeout`,
   *   `api_unavailable` when the API cannot be reached or redirects to another origin, or
   *   `config` for a parsed body that cannot be sent on faithfully (before any upstream call).
   */
  forward(auth: ApiProxyAuth, request: ProxyRequest): Promise<Response>
}

const bodylessMethods = new Set(['GET', 'HEAD'])
const noBody: UpstreamBody = { body: undefined }
const nullBodyStatuses = new Set([101, 204, 205, 304])

/**
 * The framework-free part of a browser-facing proxy to the Loyal API: allow list, header
 * filtering, body limits and redaction. Options are checked here, once.
 *
 * @example
 * const proxy = createApiProxy({ allow: ['GET /empower/*'] })
 * const response = await proxy.forward(auth, { method: 'GET', url: '/empower/rollups', headers })
 */
export function createApiProxy(options: ApiProxyOptions): ApiProxy {
  const routes = compileAllowList(options.allow)
  const headerNames = forwardedHeaderNames(options.forwardHeaders)
  const maxBodySize = positiveNumber(options.maxBodySize, 'maxBodySize', 1_048_576)
  const timeoutDuration = positiveNumber(options.timeoutDuration, 'timeoutDuration', 30_000)

  async function forward(auth: ApiProxyAuth, request: ProxyRequest): Promise<Response> {
    const method = request.method.toUpperCase()
    const path = routes.match(method, request.url)

    if (path === undefined || !auth.isApiUrl(auth.resolveUrl(path))) return refusal()

    const outgoing = bodylessMethods.has(method)
      ? noBody
      : await readProxyBody(request, maxBodySize, { method, path })

    if (outgoing === tooLarge) {
      return jsonResponse(413, 'payload_too_large', 'The body is too large')
    }

    const headers = proxyRequestHeaders(request.headers, headerNames)

    // A parsed body encoded anew goes under the type that says what it now is.
    if (outgoing.contentType !== undefined) headers.set('content-type', outgoing.contentType)

    if (outgoing.contentEncoding !== undefined) {
      headers.set('content-encoding', outgoing.contentEncoding)
    }

    const init = { method, headers, body: outgoing.body }
    const upstream = await fetchUpstream(auth, {
      path,
      init,
      signal: request.signal,
      timeoutDuration,
    })

    return browserResponse(auth, method, upstream)
  }

  return { forward }
}

function positiveNumber(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback

  if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
    throw new TypeError(
      `"${name}" must be a positive number of ${name.endsWith('Size') ? 'bytes' : 'ms'}`
    )
  }

  return value
}

function refusal(): Response {
  return jsonResponse(403, 'route_not_allowed', 'This route is not open through the Loyal proxy')
}

function jsonResponse(status: number, error: string, message: string): Response {
  return Response.json({ error, message }, { status })
}

async function browserResponse(
  auth: ApiProxyAuth,
  method: string,
  upstream: Response
): Promise<Response> {
  const init = {
    status: upstream.status,
    statusText: upstream.statusText,
    headers: proxyResponseHeaders(upstream.headers, (text) => auth.redact(text)),
  }

  if (method === 'HEAD' || nullBodyStatuses.has(upstream.status) || upstream.body === null) {
    discardBody(upstream)

    return new Response(null, init)
  }

  // Error bodies are small and the likeliest place for an echo of what we sent: redact them.
  // Success bodies stream through untouched.
  if (upstream.status >= 400) return new Response(auth.redact(await upstream.text()), init)

  return new Response(upstream.body, init)
}
