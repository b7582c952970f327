import { type LoyalAuth, LoyalError } from '@loyal-auth/core'
import axios, { type AxiosInstance } from 'axios'
import { type Attachment, isOurWrapper } from './attachment.js'
import { authorizeRequest } from './authorize-request.js'
import { createApiRequestTest } from './request-target.js'
import { scrubAxiosError } from './scrub-axios-error.js'

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
 * @throws LoyalError `config` when the instance is attached to another `LoyalAuth`.
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
  const marked = instance as MarkedInstance
  const existing = marked[attached]

  if (existing) return sameAuthOrThrow(existing, auth)

  const attachment: Attachment = {
    auth,
    isApiRequest: createApiRequestTest(auth),
    retryOnUnauthorized: options.retryOnUnauthorized ?? true,
  }

  const requestId = instance.interceptors.request.use(
    (config) => authorizeRequest(attachment, config),
    null,
    { synchronous: true }
  )
  const responseId = instance.interceptors.response.use(null, (error: unknown) => {
    throw scrubIfOurs(error, auth)
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

// Errors of requests we authenticated pass here on their way out; others are not ours to touch.
function scrubIfOurs(error: unknown, auth: LoyalAuth): unknown {
  if (axios.isAxiosError(error) && isOurWrapper(error.config?.adapter)) {
    return scrubAxiosError(error, auth)
  }

  return error
}
