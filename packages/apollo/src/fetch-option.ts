import type { Fetcher } from './authorized-fetcher.js'

/**
 * The request a `fetch` option is called with. It is what the web `fetch`, undici and
 * node-fetch 2 and 3 all take, so a wrapper can hand it to any of them as it is.
 */
export interface LoyalFetchInit {
  method?: string
  /** A plain object: RESTDataSource's headers, with the bearer when the URL is the API's. */
  headers?: Record<string, string>
  /**
   * RESTDataSource sends object bodies as JSON strings. A `Buffer` body passed to `post()` and
   * the like arrives as it is, which every implementation takes, but not every one's types.
   */
  body?: string
  /** `manual` for API calls: the bearer must not follow a redirect to another origin. */
  redirect?: 'follow' | 'error' | 'manual'
  signal?: AbortSignal | null
}

/**
 * The `fetch` option of `LoyalDataSource`: one signature, so an inline wrapper gets typed
 * parameters, that `globalThis.fetch`, undici's `fetch`, node-fetch (2 and 3) and
 * RESTDataSource's own `Fetcher` all fit.
 *
 * @example
 * new EmpowerAPI({ auth, fetch: (url, init) => fetch(url, init) })
 */
export type LoyalFetch = (url: string, init?: LoyalFetchInit) => Promise<LoyalFetchResponse>

/** What the response must offer: RESTDataSource's view of one, which all of them fit. */
export type LoyalFetchResponse = Awaited<ReturnType<Fetcher>>

/** The transport as RESTDataSource types it. */
export function asFetcher(fetch: LoyalFetch): Fetcher {
  // The two differ in types only: RESTDataSource's init also allows a Buffer body, which the
  // transport gets at run time whatever its types say (see LoyalFetchInit.body).
  return fetch as Fetcher
}
