import { discardBody } from './discard-body.js'
import { isLoyalError, LoyalError, type LoyalErrorOptions } from './loyal-error.js'
import { MAX_REDIRECTS, REDIRECT_STATUSES, redirectedRequest } from './redirect-rules.js'

/** What the proxy's call to the API needs of a `LoyalAuth`. */
export interface UpstreamAuth {
  fetch(pathOrUrl: string, init?: RequestInit): Promise<Response>
  resolveUrl(pathOrUrl: string): URL
  isApiUrl(url: URL): boolean
}

/** One call of the proxy to the API. */
export interface UpstreamCall {
  /** Path and query under the API's origin, already checked against the allow list. */
  path: string
  init: RequestInit
  /** The browser's signal: when it aborts nobody is left to answer. */
  signal: AbortSignal | undefined
  /** Milliseconds to wait for the final response's headers, redirects included. */
  timeoutDuration: number
}

/**
 * Calls the API for the proxy. Redirects are followed on the API's origin only, since the proxy
 * must never fetch another origin for a browser. Every failure is a `LoyalError`: `timeout`
 * (504) when the headers took too long, `api_unavailable` (502) when the API could not be
 * reached or redirected elsewhere; errors of `auth.fetch` that already are one pass unchanged.
 */
export async function fetchUpstream(auth: UpstreamAuth, call: UpstreamCall): Promise<Response> {
  const timer = new AbortController()
  const timeout = setTimeout(() => timer.abort(), call.timeoutDuration)
  const signals = call.signal === undefined ? [timer.signal] : [timer.signal, call.signal]
  const init = { ...call.init, signal: eitherSignal(signals) }

  try {
    return await followOnApiOrigin(auth, call.path, init)
  } catch (error) {
    if (call.signal?.aborted) throw error

    throw timer.signal.aborted ? timedOut(call, error) : asLoyalError(call, error)
  } finally {
    // Only the wait for headers is bounded; a long body may take its time.
    clearTimeout(timeout)
  }
}

/** Aborts when any of `signals` does; `AbortSignal.any` where Node has it (20.3 and later). */
function eitherSignal(signals: AbortSignal[]): AbortSignal {
  if (typeof AbortSignal.any === 'function') return AbortSignal.any(signals)

  const either = new AbortController()

  for (const signal of signals) {
    if (signal.aborted) {
      either.abort(signal.reason)
      break
    }

    signal.addEventListener('abort', () => either.abort(signal.reason), { once: true })
  }

  return either.signal
}

async function followOnApiOrigin(
  auth: UpstreamAuth,
  path: string,
  init: RequestInit
): Promise<Response> {
  let target = auth.resolveUrl(path)
  let request: RequestInit = { ...init, redirect: 'manual' }

  for (let hops = 0; ; hops++) {
    const response = await auth.fetch(target.href, request)
    const location = response.headers.get('location')
    const redirects = location !== null && REDIRECT_STATUSES.has(response.status)
    const next = redirects ? redirectedRequest(request, response.status) : undefined

    if (next === undefined) return response

    discardBody(response)
    target = new URL(location as string, target)

    if (!auth.isApiUrl(target)) throw offOrigin(init, path, response.status)

    if (hops >= MAX_REDIRECTS) throw unavailable(init, path, 'redirected too many times')

    request = next
  }
}

function timedOut(call: UpstreamCall, cause: unknown): LoyalError {
  const { method, path } = callSite(call.init, call.path)

  return new LoyalError(
    'timeout',
    `The Loyal API did not answer ${method} ${path} in ${call.timeoutDuration} ms`,
    { cause, method, path }
  )
}

function asLoyalError(call: UpstreamCall, error: unknown): unknown {
  if (isLoyalError(error)) return error

  // fetch's own errors carry no request headers, so the cause is safe to keep.
  return unavailable(call.init, call.path, `could not be reached${causeCode(error)}`, {
    cause: error,
  })
}

function offOrigin(init: RequestInit, path: string, status: number): LoyalError {
  const what = `redirected (${status}) to another origin; the proxy only reaches the API's origin`

  return unavailable(init, path, what, { upstreamStatus: status })
}

function unavailable(
  init: RequestInit,
  path: string,
  what: string,
  extra: LoyalErrorOptions = {}
): LoyalError {
  const { method, path: where } = callSite(init, path)

  return new LoyalError('api_unavailable', `The Loyal API ${what}: ${method} ${where}`, {
    ...extra,
    method,
    path: where,
  })
}

/** ` (ECONNREFUSED)`: the system error code fetch wraps, never its message. */
function causeCode(error: unknown): string {
  const inner = (error as { cause?: { code?: unknown } } | undefined)?.cause
  const code = inner?.code ?? (error as { code?: unknown } | undefined)?.code

  return typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code) ? ` (${code})` : ''
}

/** Method and path only: a query may hold what the browser sent, so it stays out of errors. */
function callSite(init: RequestInit, path: string): { method: string; path: string } {
  return { method: (init.method ?? 'GET').toUpperCase(), path: path.split('?', 1)[0]! }
}
