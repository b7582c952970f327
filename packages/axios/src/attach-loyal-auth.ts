import { isLoyalAuth, type LoyalAuth, LoyalError } from '@loyal-auth/core'
import axios, { type AxiosInstance } from 'axios'
import type { Attachment } from './attachment.js'
import { createAttachment, routeRequest } from './route-request.js'
import { scrubAxiosError, scrubRequests } from './scrub-axios-error.js'

/** Options of {@link attachLoyalAuth}. */
export interface LoyalAxiosOptions {
  /**
   * Retry a request once with a new token when the API answers 401. When `false`, the 401
   * reaches the caller as axios' error, and the token that failed is dropped from the cache so
   * the next request fetches a new one. Default: `true`.
   */
  retryOnUnauthorized?: boolean
}

/** Removes what {@link attachLoyalAuth} installed; calling it again does nothing. */
export type DetachLoyalAuth = () => void

interface AttachedState {
  readonly auth: LoyalAuth
  readonly detach: DetachLoyalAuth
}

// A global symbol, so two copies of this package agree that an instance is already attached.
const attached = Symbol.for('loyal-auth.axios.attached')

type MarkedInstance = AxiosInstance & { [attached]?: AttachedState }

/**
 * Authenticates an axios instance's requests to the Loyal API: each request to the API's origin
 * (scheme, host and port of `auth.baseUrl`) gets `Authorization: Bearer <token>`, and requests
 * anywhere else never do, also not after a redirect. A 401 from the API is retried once with a
 * new token (concurrent 401s share one refresh); a second 401 rejects with a `LoyalError` coded
 * `unauthorized`. Axios errors of API requests are scrubbed of the bearer before they reach you.
 *
 * Attaching the same `auth` twice returns the first `detach`; another `auth` is a `config` error.
 *
 * @returns A function that removes the interceptors again.
 * @throws LoyalError `config` when an argument is not what it should be, or when the instance
 * is attached to another `LoyalAuth`.
 *
 * @example
 * const api = axios.create({ baseURL: auth.baseUrl, timeout: 5_000 })
 * const detach = attachLoyalAuth(api, auth)
 * const { data } = await api.get('/empower/rollups', { params: { limit: 10 } })
 */
export function attachLoyalAuth(
  instance: AxiosInstance,
  auth: LoyalAuth,
  options: LoyalAxiosOptions = {}
): DetachLoyalAuth {
  if (!isAxiosInstance(instance)) {
    throw configError('attachLoyalAuth(): "instance" must be an axios instance')
  }

  checkArguments('attachLoyalAuth', auth, options)

  const marked = instance as MarkedInstance
  const existing = marked[attached]

  if (existing) return sameAuthOrThrow(existing, auth)

  const attachment = createAttachment(auth, options.retryOnUnauthorized ?? true)

  const requestId = instance.interceptors.request.use(
    (config) => routeRequest(attachment, config),
    null,
    { synchronous: true }
  )
  const responseId = instance.interceptors.response.use(null, (error: unknown) => {
    throw scrubIfOurs(error, attachment)
  })

  function detach(): void {
    if (marked[attached]?.detach !== detach) return

    instance.interceptors.request.eject(requestId)
    instance.interceptors.response.eject(responseId)
    delete marked[attached]
  }

  Object.defineProperty(marked, attached, { value: { auth, detach }, configurable: true })

  return detach
}

function sameAuthOrThrow(existing: AttachedState, auth: LoyalAuth): DetachLoyalAuth {
  if (existing.auth === auth) return existing.detach

  throw new LoyalError(
    'config',
    'This axios instance is already attached to another LoyalAuth: call its detach() first'
  )
}

/**
 * Checks the `auth` and `options` a caller handed over, once, so a mistake surfaces at setup as a `config` error
 * naming the argument, not as a `TypeError` from deep inside the first request.
 */
export function checkArguments(caller: string, auth: unknown, options: unknown): void {
  if (!isLoyalAuth(auth)) throw configError(`${caller}(): "auth" must be a LoyalAuth`)

  if (options === undefined) return

  if (typeof options !== 'object' || options === null) {
    throw configError(`${caller}(): "options" must be an object`)
  }

  const retry = (options as LoyalAxiosOptions).retryOnUnauthorized

  if (retry !== undefined && typeof retry !== 'boolean') {
    throw configError(`${caller}(): "retryOnUnauthorized" must be true or false`)
  }
}

function isAxiosInstance(value: unknown): boolean {
  const interceptors = (value as Partial<AxiosInstance> | null | undefined)?.interceptors

  return (
    typeof interceptors?.request?.use === 'function' &&
    typeof interceptors.response?.use === 'function'
  )
}

function configError(message: string): LoyalError {
  return new LoyalError('config', message)
}

/**
 * Every axios error of this instance passes here on its way out, also those raised after our
 * adapter (a response transform that throws, a cancellation). Those of requests to the API are
 * scrubbed of our secrets; all of them lose the raw Node request, which can lead (socket,
 * shared agent) to an earlier API request's headers.
 */
function scrubIfOurs(error: unknown, attachment: Attachment): unknown {
  if (!axios.isAxiosError(error)) return error

  const { config } = error

  if (config !== undefined && attachment.isApiRequest(config)) {
    return scrubAxiosError(error, attachment.auth)
  }

  scrubRequests(error)

  return error
}
