import type { LoyalFetchInit } from '@loyal-auth/core'
import type { Fetcher } from './authorized-fetcher.js'

// Core's: what the web fetch, undici and node-fetch 2 and 3 all take. RESTDataSource hands it
// plain-object headers, and object bodies as JSON strings; a `Buffer` body given to `post()`
// arrives as it is, which every implementation takes, but not every one's types.
export type { LoyalFetchInit }

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
