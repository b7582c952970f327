import { discardBody } from './discard-body.js'
import { LoyalError } from './loyal-error.js'
import { maxRetryAfter, parseRetryAfter } from './retry.js'
import { clockOffsetFrom } from './server-clock.js'
import { setLongTimeout } from './timers.js'

/** One call to the token endpoint. */
export interface TokenRequest {
  fetch: (url: string, init: RequestInit) => Promise<Response>
  /** `{baseUrl}{tokenPath}` */
  url: string
  /** Path only, for error context: never a query string, never a secret. */
  path: string
  apiKey: string
  timeoutMs: number
  now: () => number
  /** Aborts the attempt (close() or the flight giving up); not a caller's own signal. */
  signal?: AbortSignal
}

/** What a successful token response yields, before the JWT is decoded. */
export interface TokenResponse {
  jwt: string
  /** Local clock when the response arrived. */
  receivedAt: number
  /** API clock minus local clock, when the response had a readable `Date`. */
  clockOffset: number | undefined
}

// Failures worth another attempt: the endpoint may answer next time. Kept apart from the public
// error shape, so `retryable` does not become API.
const retryable = new WeakSet<LoyalError>()

/** Whether a token request failure is worth another attempt (network, timeout, 408, 429, 5xx). */
export function isRetryable(error: LoyalError): boolean {
  return retryable.has(error)
}

function failure(
  request: TokenRequest,
  code: 'invalid_api_key' | 'token_endpoint_unavailable' | 'timeout' | 'malformed_token',
  message: string,
  extra: { upstreamStatus?: number; retryAfter?: number; cause?: unknown; retry?: boolean } = {}
): LoyalError {
  const { retry = false, ...context } = extra
  const error = new LoyalError(code, message, { method: 'POST', path: request.path, ...context })
  if (retry) retryable.add(error)

  return error
}

/**
 * Reads `{"authenticated": true, "token": "…"}`, in camelCase or .NET PascalCase.
 * Messages describe the shape only: a body may echo what we sent.
 */
export function readTokenBody(request: TokenRequest, text: string, status = 200): string {
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    throw failure(
      request,
      'malformed_token',
      'Token endpoint answered with a body that is not JSON'
    )
  }

  if (typeof body !== 'object' || body === null) {
    throw failure(request, 'malformed_token', 'Token endpoint answered with a non-object body')
  }

  const fields = body as Record<string, unknown>
  const authenticated = fields.authenticated ?? fields.Authenticated
  if (authenticated === false) {
    throw failure(request, 'invalid_api_key', 'Token endpoint refused the API key', {
      upstreamStatus: status,
    })
  }

  const token = fields.token ?? fields.Token
  if (typeof token !== 'string' || token.trim() === '') {
    throw failure(request, 'malformed_token', 'Token endpoint answered without a "token"')
  }

  return token.trim()
}

function failureForStatus(request: TokenRequest, response: Response): LoyalError {
  const { status } = response
  const message = `Token endpoint answered ${status}`

  if (status === 400 || status === 401 || status === 403) {
    return failure(request, 'invalid_api_key', `${message}: the API key was refused`, {
      upstreamStatus: status,
    })
  }

  const asked = parseRetryAfter(response.headers.get('retry-after'), response.headers.get('date'))
  const retryAfter = asked === undefined ? undefined : Math.min(asked, maxRetryAfter)
  const retry = status === 408 || status === 429 || status >= 500

  // Other statuses (3xx, 404, 422…) mean a wrong baseUrl or tokenPath: trying again won't help.
  return failure(request, 'token_endpoint_unavailable', message, {
    upstreamStatus: status,
    retryAfter,
    retry,
  })
}

async function send(request: TokenRequest, signal: AbortSignal): Promise<Response> {
  try {
    return await request.fetch(request.url, {
      method: 'POST',
      headers: { authorization: `ApiKey ${request.apiKey}`, accept: 'application/json' },
      // The key must never follow a redirect, not even to the same host.
      redirect: 'manual',
      signal,
    })
  } catch (error) {
    if (signal.aborted) throw signal.reason

    // fetch's own errors carry no request headers, so the cause is safe to keep.
    throw failure(request, 'token_endpoint_unavailable', 'Token endpoint could not be reached', {
      cause: error,
      retry: true,
    })
  }
}

async function readResponse(request: TokenRequest, response: Response): Promise<string> {
  if (!response.ok) {
    discardBody(response)
    throw failureForStatus(request, response)
  }

  try {
    return readTokenBody(request, await response.text(), response.status)
  } catch (error) {
    if (error instanceof LoyalError) throw error

    throw failure(request, 'token_endpoint_unavailable', 'Token response was cut off', {
      upstreamStatus: response.status,
      retry: true,
    })
  }
}

/**
 * POSTs `Authorization: ApiKey <key>` to the token endpoint, once, and returns the JWT. The
 * timeout covers the body too (a server may send headers and then stall); aborting closes the
 * socket.
 *
 * @throws LoyalError `invalid_api_key` (400/401/403, `authenticated: false`), `malformed_token`,
 *   `timeout` or `token_endpoint_unavailable`; `isRetryable()` tells which deserve another try.
 */
export async function requestToken(request: TokenRequest): Promise<TokenResponse> {
  const controller = new AbortController()
  const timedOut = failure(
    request,
    'timeout',
    `Token endpoint did not answer within ${request.timeoutMs} ms`,
    { retry: true }
  )
  const timer = setLongTimeout(() => controller.abort(timedOut), request.timeoutMs)
  const onAbort = () => controller.abort(request.signal?.reason)
  request.signal?.addEventListener('abort', onAbort, { once: true })

  try {
    if (request.signal?.aborted) throw request.signal.reason

    const response = await send(request, controller.signal)
    const jwt = await readResponse(request, response)
    const receivedAt = request.now()

    return {
      jwt,
      receivedAt,
      clockOffset: clockOffsetFrom(response.headers.get('date'), receivedAt),
    }
  } catch (error) {
    // An abort surfaces as whatever the body reader throws; report why we aborted instead.
    throw controller.signal.aborted ? controller.signal.reason : error
  } finally {
    timer.clear()
    request.signal?.removeEventListener('abort', onAbort)
  }
}
