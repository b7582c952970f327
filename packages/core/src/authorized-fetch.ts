import { discardBody } from './discard-body.js'
import { LoyalError } from './loyal-error.js'
import type { LoyalToken } from './loyal-token.js'
import { isSameOrigin } from './origin.js'
import {
  isReplayable,
  MAX_REDIRECTS,
  REDIRECT_STATUSES,
  redirectedRequest,
} from './redirect-rules.js'
import { withAuthorization, withCopiedHeaders, withoutCredentials } from './request-headers.js'

/** The request's own signal, which ends its wait for a token (and only its own). */
export interface TokenWaitOptions {
  signal?: AbortSignal
}

/** What `authorizedFetch` needs of a `LoyalAuth`. */
export interface FetchHost {
  fetch(input: URL, init: RequestInit): Promise<Response>
  resolveUrl(pathOrUrl: string | URL): URL
  isApiUrl(url: URL): boolean
  peekToken(): LoyalToken | undefined
  getToken(options?: TokenWaitOptions): Promise<LoyalToken>
  tokenAfterUnauthorized(sent: LoyalToken, options?: TokenWaitOptions): Promise<LoyalToken>
}

// One flat string per token: a template string built per request is a rope that every header
// check flattens again.
const bearers = new WeakMap<LoyalToken, string>()

function bearerOf(token: LoyalToken): string {
  let bearer = bearers.get(token)

  if (bearer === undefined) {
    bearer = `Bearer ${token.value}`
    bearers.set(token, bearer)
  }

  return bearer
}

// As fetch: a redirect may only lead to another HTTP(S) URL (not to `data:` or `file:`).
const HTTP_SCHEMES: ReadonlySet<string> = new Set(['http:', 'https:'])

/** What `send` got back, and the headers its first hop sent (as at the call), for a replay. */
interface Sent {
  response: Response
  fromApi: boolean
  firstHeaders: HeadersInit
}

/**
 * Sends one request, following redirects itself so that `Authorization: Bearer` reaches only
 * the API's origin. Once a hop leaves the API the rest of the chain goes without the bearer,
 * also back on the API: a host it passed through could send it to any API route. A hop to
 * another origin drops the caller's credentials too, as fetch does. `fromApi` tells whether
 * the final response came from the API with our bearer.
 */
async function send(
  host: FetchHost,
  url: URL,
  init: RequestInit,
  token: LoyalToken
): Promise<Sent> {
  const mode = init.redirect ?? 'follow'
  let target = url
  let request = init
  // The first hop is the URL authorizedFetch has just found to be the API's.
  let fromApi = true
  let firstHeaders: HeadersInit | undefined

  for (let hops = 0; ; hops++) {
    const headers = withAuthorization(request.headers, fromApi ? bearerOf(token) : undefined)
    firstHeaders ??= headers

    const redirect = mode === 'follow' ? 'manual' : mode
    const response = await host.fetch(target, { ...request, headers, redirect })
    if (mode !== 'follow' || !REDIRECT_STATUSES.has(response.status)) {
      return { response: afterHops(response, hops), fromApi, firstHeaders }
    }

    const location = response.headers.get('location')
    if (location === null) return { response: afterHops(response, hops), fromApi, firstHeaders }

    // From the headers as sent, not the caller's object, which may have changed since the call.
    const next = redirectedRequest({ ...request, headers }, response.status)
    if (next === undefined) throw new TypeError('Cannot follow a redirect with a streamed body')
    if (hops >= MAX_REDIRECTS) throw new TypeError('Too many redirects')

    discardBody(response)
    const from = target
    target = new URL(location, from)
    if (!HTTP_SCHEMES.has(target.protocol)) throw new TypeError('Redirect to a non-HTTP(S) URL')

    request = isSameOrigin(from, target) ? next : withoutCredentials(next)
    fromApi = fromApi && host.isApiUrl(target)
  }
}

// fetch says `redirected` of a response it reached through a redirect; following them here,
// we say it too (an own property over Response's getter, on the rare path only).
function afterHops(response: Response, hops: number): Response {
  if (hops > 0 && !response.redirected) {
    Object.defineProperty(response, 'redirected', { value: true })
  }

  return response
}

/** What `auth.fetch` takes as its first argument. */
export type FetchInput = string | URL | Request

function isRequest(input: unknown): input is Request {
  if (typeof input !== 'object' || input === null || input instanceof URL) return false

  // Duck-typed: a Request from another copy of undici is a Request too.
  const candidate = input as Partial<Request>
  return typeof candidate.url === 'string' && typeof candidate.arrayBuffer === 'function'
}

/**
 * A `Request` as a URL and an init, as `fetch(request, init)` reads it: fields of `init` win.
 * Its body is read into bytes, so that it can be replayed after a 401.
 */
function unpack(
  input: FetchInput,
  init: RequestInit
): [string | URL, RequestInit] | Promise<[string | URL, RequestInit]> {
  // A path or URL needs no await: the common call costs no extra turn of the event loop.
  if (typeof input === 'string' || input instanceof URL) return [input, init]

  return unpackRequest(input, init)
}

async function unpackRequest(input: FetchInput, init: RequestInit): Promise<[string, RequestInit]> {
  if (!isRequest(input)) {
    throw new LoyalError('config', '"pathOrUrl" must be a path, an absolute URL or a Request')
  }

  const { method, headers, redirect, signal } = input
  const body =
    init.body === undefined && input.body !== null ? await input.arrayBuffer() : undefined
  const fromRequest: RequestInit = { method, headers, redirect, signal }
  if (body !== undefined) fromRequest.body = body

  return [input.url, { ...fromRequest, ...init }]
}

function describeRequest(init: RequestInit, url: URL): { method: string; path: string } {
  return { method: (init.method ?? 'GET').toUpperCase(), path: url.pathname }
}

/**
 * `fetch` with the bearer and the 401 rule: one renewal of the token (shared with concurrent
 * requests) and one replay per request; a second 401 throws `unauthorized`. `init.signal` also
 * ends the request's wait for a token, with a `timeout` LoyalError; the shared token request
 * goes on for the other callers.
 *
 * `input` is a path (resolved against `baseUrl`), an absolute URL, or a `Request`, whose URL,
 * method, headers, body (read into bytes), redirect mode and signal are used; fields given in
 * `init` win. Anything else rejects with a `config` LoyalError naming `pathOrUrl`.
 */
export async function authorizedFetch(
  host: FetchHost,
  input: FetchInput,
  options?: RequestInit | null
): Promise<Response> {
  // `null` is an init to fetch too.
  const unpacked = unpack(input, options ?? {})
  const [pathOrUrl, given] = Array.isArray(unpacked) ? unpacked : await unpacked
  const url = host.resolveUrl(pathOrUrl)
  if (!host.isApiUrl(url)) return host.fetch(url, given)

  const wait: TokenWaitOptions | undefined = given.signal ? { signal: given.signal } : undefined
  const cached = host.peekToken()
  // As with fetch, the request is what the caller passed at the call: while a cold cache
  // waits, later changes to the caller's headers object must not reach the wire.
  const init = cached === undefined ? withCopiedHeaders(given) : given
  const token = cached ?? (await host.getToken(wait))
  const first = await send(host, url, init, token)
  // A 401 from another origin (after a redirect) says nothing about our token.
  if (first.response.status !== 401 || !first.fromApi) return first.response

  discardBody(first.response)
  const renewed = await host.tokenAfterUnauthorized(token, wait)
  const { method, path } = describeRequest(init, url)
  const context = { upstreamStatus: 401, method, path }

  if (!isReplayable(init.body)) {
    const message = `${method} ${path} was refused with 401; its streamed body cannot be replayed`
    throw new LoyalError('unauthorized', message, context)
  }

  // The replay sends the headers the first attempt did, not what the caller's object holds now.
  const second = await send(host, url, { ...init, headers: first.firstHeaders }, renewed)
  if (second.response.status !== 401 || !second.fromApi) return second.response

  discardBody(second.response)
  throw new LoyalError(
    'unauthorized',
    `${method} ${path} was refused with 401 after a new token`,
    context
  )
}
