import { LoyalError, type LoyalToken, REDACTED } from '@loyal-auth/core'
import axios, {
  type AxiosAdapter,
  type AxiosError,
  type AxiosRequestConfig,
  type AxiosResponse,
  type InternalAxiosRequestConfig,
} from 'axios'
import { type Attachment, unwrap } from './attachment.js'
import {
  bearerOf,
  deleteAuthorization,
  getAuthorization,
  type HeaderBag,
  isIssuedBearer,
  setAuthorization,
  takeBackBearer,
} from './headers.js'
import { chainLeftApi } from './redirect-guard.js'
import { describeRequest, isApiAbsoluteUrl } from './request-target.js'
import { RequestSummary, scrubAxiosError } from './scrub-axios-error.js'
import { forgetSentBearer, forgetSocketMark } from './sent-headers.js'

type AdapterSetting = AxiosRequestConfig['adapter']

const afterRenewal = ' after a new token'

/**
 * Our adapter around `original`, one per attachment and original adapter. Axios calls it with
 * the final config, after every request interceptor, so this is where the request's target is
 * judged, where the bearer is set (interceptors that log headers never see it), where a cold
 * cache waits for its token, and where a 401 from the API is answered with one retry. The
 * retry resends the very config axios dispatched (body already serialised, interceptors not
 * rerun), so the body is unchanged and the request carries exactly one `Authorization` header.
 */
export function loyalAdapter(attachment: Attachment, original: unknown): AxiosAdapter {
  const { auth } = attachment
  const dispatcherFor = dispatcherCache(original as AdapterSetting)

  return function loyalAuthAdapter(config) {
    const dispatch = dispatcherFor(config)

    if (!attachment.isApiRequest(config)) {
      dropBearer(config.headers)

      return dispatch(config)
    }

    config.beforeRedirect = attachment.redirectHookFor(unwrap(config.beforeRedirect))

    const token = auth.peekToken()

    if (token !== undefined) return send(attachment, dispatch, config, token)

    return auth
      .getToken(signalOf(config))
      .then((fetched) => send(attachment, dispatch, config, fetched))
  }
}

/**
 * Resolves `adapters` (a function, a name or a list of names) the way axios does, once per
 * runtime environment rather than on every request (a fifth of a microsecond each here). What
 * axios picks depends on nothing but the list, the `fetch` a request's `env` brings, and,
 * when the list is unset, axios' global default.
 */
function dispatcherCache(adapters: AdapterSetting): (config: AxiosRequestConfig) => AxiosAdapter {
  let lastEnv: unknown
  let lastDefault: unknown
  let last: AxiosAdapter | undefined

  return function dispatcherFor(config) {
    const fallback = adapters === undefined ? axios.defaults.adapter : undefined

    if (last === undefined || config.env !== lastEnv || fallback !== lastDefault) {
      last = axios.getAdapter(adapters ?? fallback, config)
      lastEnv = config.env
      lastDefault = fallback
    }

    return last
  }
}

/**
 * Removes a bearer of ours from a request that is not going to the API (a reused config may
 * carry one, also an older one). The caller's own `Authorization`, whatever its scheme, stays.
 */
function dropBearer(headers: HeaderBag): void {
  const value = getAuthorization(headers)

  // A scrubbed error's config reused elsewhere carries the marker, which is no one's header.
  if (isIssuedBearer(value) || value === REDACTED) deleteAuthorization(headers)
}

function send(
  attachment: Attachment,
  dispatch: AxiosAdapter,
  config: InternalAxiosRequestConfig,
  token: LoyalToken
): Promise<AxiosResponse> {
  setAuthorization(config.headers, bearerOf(token))

  return dispatch(config).then(
    (response) => {
      forgetSocketMark(response.request)

      return isApiUnauthorized(attachment, response)
        ? onUnauthorized(attachment, dispatch, config, token, () => delivered(response, config))
        : delivered(response, config)
    },
    (error: unknown) => {
      if (!axios.isAxiosError(error)) throw error

      forgetSocketMark(error.response?.request ?? error.request)
      if (!isApiUnauthorized(attachment, error.response)) {
        throw scrubAxiosError(error, attachment.auth)
      }

      return onUnauthorized(attachment, dispatch, config, token, () => {
        throw scrubAxiosError(error, attachment.auth)
      })
    }
  )
}

/**
 * A response of the API as it leaves the adapter: its config without our bearer, and its
 * `request` a summary instead of Node's request object, whose raw header block holds the
 * bearer. `console.log(response)`, or its config reused for another host, shows no secret.
 */
function delivered(response: AxiosResponse, config: InternalAxiosRequestConfig): AxiosResponse {
  takeBackBearer(config.headers)

  if (response.config !== undefined && response.config !== config) {
    deleteAuthorization(response.config.headers as HeaderBag)
  }

  if (response.request !== undefined) {
    // A stream's `data` is Node's response, whose `req` is the request `request` was.
    if (config.responseType === 'stream') forgetSentBearer(response.request)
    response.request = new RequestSummary(config)
  }

  return response
}

async function onUnauthorized(
  attachment: Attachment,
  dispatch: AxiosAdapter,
  config: InternalAxiosRequestConfig,
  failed: LoyalToken,
  passOn: () => AxiosResponse
): Promise<AxiosResponse> {
  const { auth } = attachment

  // Without the retry a 401 still retires the token, so the next request fetches a new one.
  if (!attachment.retryOnUnauthorized) {
    await auth.invalidate(failed)

    return passOn()
  }

  const renewed = await auth.tokenAfterUnauthorized(failed, signalOf(config))
  setAuthorization(config.headers, bearerOf(renewed))

  if (!isReplayable(config.data)) {
    throw unauthorized(attachment, config, '; its streamed body cannot be replayed')
  }

  const response = await dispatch(config).catch((error: unknown) => {
    if (axios.isAxiosError(error)) forgetSocketMark(error.response?.request ?? error.request)
    if (axios.isAxiosError(error) && isApiUnauthorized(attachment, error.response)) {
      throw unauthorized(attachment, config, afterRenewal, error)
    }

    throw axios.isAxiosError(error) ? scrubAxiosError(error, auth) : error
  })

  forgetSocketMark(response.request)
  if (isApiUnauthorized(attachment, response)) throw unauthorized(attachment, config, afterRenewal)

  return delivered(response, config)
}

/** A 401 answered by the API itself, not by a host a redirect led to. */
function isApiUnauthorized(attachment: Attachment, response: AxiosResponse | undefined): boolean {
  if (response?.status !== 401) return false

  // follow-redirects records the URL that finally answered on the response (Node http adapter).
  const request = response.request as { res?: { responseUrl?: unknown } } | undefined
  const answeredBy = request?.res?.responseUrl

  // A chain that went through another host came back without our bearer.
  if (chainLeftApi(request)) return false

  return typeof answeredBy !== 'string' || isApiAbsoluteUrl(attachment.auth, answeredBy)
}

function unauthorized(
  attachment: Attachment,
  config: InternalAxiosRequestConfig,
  reason: string,
  cause?: AxiosError
): LoyalError {
  const { method, path = '' } = describeRequest(config)
  const options = { upstreamStatus: 401, method, path }

  // The same wording as `auth.fetch`, so logs read alike whichever client made the call.
  return new LoyalError('unauthorized', `${method} ${path} was refused with 401${reason}`, {
    ...options,
    ...(cause === undefined ? {} : { cause: scrubAxiosError(cause, attachment.auth) }),
  })
}

/** Strings, buffers, FormData and Blobs can be sent twice; a stream is gone once sent. */
function isReplayable(data: unknown): boolean {
  if (typeof data !== 'object' || data === null) return true
  if (typeof (data as { pipe?: unknown }).pipe === 'function') return false
  if (typeof ReadableStream !== 'undefined' && data instanceof ReadableStream) return false

  return typeof (data as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== 'function'
}

function signalOf(config: AxiosRequestConfig): { signal?: AbortSignal } {
  return config.signal instanceof AbortSignal ? { signal: config.signal } : {}
}
