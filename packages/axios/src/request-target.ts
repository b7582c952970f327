import type { LoyalAuth } from '@loyal-auth/core'
import type { AxiosRequestConfig } from 'axios'

/** The parts of a request config that decide where axios sends it. */
export type RequestTarget = Pick<AxiosRequestConfig, 'url' | 'baseURL' | 'allowAbsoluteUrls'>

// axios' own test (helpers/isAbsoluteURL.js): a scheme followed by `//`, or a bare `//`.
const absoluteUrl = /^([a-z][a-z\d+\-.]*:)?\/\//i

/**
 * Builds the test the adapter runs on every request. It reads the URL the way axios'
 * `buildFullPath` does, so the answer is about the URL axios will really request, baseURL
 * included. A relative URL is joined to the baseURL with a `/`, which keeps the baseURL's
 * origin, so the answer for a baseURL is computed once and reused: the hot path parses nothing.
 *
 * Where axios versions disagree the answer is the cautious one: a URL object is judged as the
 * absolute URL it is (axios before 1.13 sends it there; later ones refuse it), and with
 * `allowAbsoluteUrls: false` an absolute URL must be the API's as well as the baseURL (axios
 * before 1.8.2 ignores the option and sends the request to the absolute URL).
 */
export function createApiRequestTest(auth: LoyalAuth): (config: RequestTarget) => boolean {
  let lastBase: string | undefined
  let lastBaseIsApi = false

  function isApiBase(base: string): boolean {
    if (base !== lastBase) {
      lastBaseIsApi = isApiAbsoluteUrl(auth, base)
      lastBase = base
    }

    return lastBaseIsApi
  }

  return function isApiRequest(config) {
    const { url, baseURL } = config

    if (typeof url === 'object' && url !== null) return isApiAbsoluteUrl(auth, String(url))

    const isAbsolute = typeof url === 'string' && absoluteUrl.test(url)

    if (isAbsolute && !isApiAbsoluteUrl(auth, url)) return false
    if (baseURL && (!isAbsolute || config.allowAbsoluteUrls === false)) return isApiBase(baseURL)

    return url != null && isApiAbsoluteUrl(auth, String(url))
  }
}

/** True only for an absolute URL on the API origin; anything unparsable is not the API. */
export function isApiAbsoluteUrl(auth: LoyalAuth, url: string | undefined): boolean {
  if (url === undefined) return false

  try {
    return auth.isApiUrl(new URL(url))
  } catch {
    return false
  }
}

/**
 * Method, origin and path of a request, for errors and scrubbed errors: never the query string,
 * which may carry the caller's own secrets.
 */
export function describeRequest(config: RequestTarget & { method?: string | undefined }): {
  method: string
  origin: string | undefined
  path: string | undefined
} {
  const method = (config.method ?? 'get').toUpperCase()

  try {
    const url = new URL(fullUrl(config))

    return { method, origin: url.origin, path: url.pathname }
  } catch {
    return { method, origin: undefined, path: undefined }
  }
}

// axios' buildFullPath and combineURLs, minus their validation: only used to describe a request.
function fullUrl({ url, baseURL, allowAbsoluteUrls }: RequestTarget): string {
  const requested = url == null ? '' : String(url)
  const isAbsolute = typeof url === 'string' ? absoluteUrl.test(url) : url != null

  if (!baseURL || (isAbsolute && allowAbsoluteUrls !== false)) return requested
  if (requested === '') return baseURL

  return `${baseURL.replace(/\/+$/, '')}/${requested.replace(/^\/+/, '')}`
}
