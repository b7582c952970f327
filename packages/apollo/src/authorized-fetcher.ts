import type { DataSourceConfig } from '@apollo/datasource-rest'
import { authorizedFetch, type FetchHost, type LoyalAuth } from '@loyal-auth/core'
import { stateOf, withoutState } from './request-state.js'

/** The fetch signature RESTDataSource's HTTP cache calls. */
export type Fetcher = NonNullable<DataSourceConfig['fetch']>

type FetcherInit = NonNullable<Parameters<Fetcher>[1]>
type FetcherResponse = Awaited<ReturnType<Fetcher>>

/**
 * Wraps `send` so each request to the Loyal API goes through core's `authorizedFetch` with the
 * request's own `LoyalAuth`: bearer only to the API's origin (redirects included), and after a
 * 401 one replay with the token `tokenAfterUnauthorized` hands out; a second 401 throws
 * `unauthorized`.
 *
 * This sits *below* RESTDataSource's HTTP cache and request deduplication: a 401 never reaches
 * either, so it can be neither stored nor shared with the replay, and the bearer never enters a
 * cache entry (http-cache-semantics keeps request headers when a response has `Vary`).
 */
export function createAuthorizedFetcher(send: Fetcher): Fetcher {
  let fetcher = fetchers.get(send)

  if (fetcher === undefined) {
    fetcher = authorizedFetcher(send)
    fetchers.set(send, fetcher)
  }

  return fetcher
}

// A data source is usually made per operation, with the same transport each time: one fetcher
// and one set of hosts per transport, so an operation builds none.
const fetchers = new WeakMap<Fetcher, Fetcher>()

function authorizedFetcher(send: Fetcher): Fetcher {
  const hostFor = hostsOf(send)

  // Not async: it hands on core's promise rather than wrapping it in one more.
  return function authorizedFetcher(url, init = {}) {
    const state = stateOf(init)
    const plain = withoutState(init)

    if (state === undefined) return send(url, plain)

    // RESTDataSource's string is the href of the URL resolveURL made (params appended to it).
    const target = state.url?.href === url ? state.url : url
    const response = authorizedFetch(hostFor(state.auth), target, plain as RequestInit)

    return response as unknown as Promise<FetcherResponse>
  }
}

function hostsOf(send: Fetcher): (auth: LoyalAuth) => FetchHost {
  const hosts = new WeakMap<LoyalAuth, FetchHost>()

  return (auth) => {
    let host = hosts.get(auth)

    if (host === undefined) {
      host = fetchHost(auth, send)
      hosts.set(auth, host)
    }

    return host
  }
}

// Everything token-related is the auth's; only the transport is the data source's.
function fetchHost(auth: LoyalAuth, send: Fetcher): FetchHost {
  // The default transport answers with web Responses already: no conversion step to wait for.
  const answersWebResponses = send === (globalThis.fetch as unknown)

  return {
    fetch: answersWebResponses
      ? (url, init) => send(url.href, toFetcherInit(init)) as unknown as Promise<Response>
      : (url, init) => send(url.href, toFetcherInit(init)).then(asWebResponse),
    // Only resolveURL's own URL arrives as an object; strings are resolved and checked.
    resolveUrl: (url) => (url instanceof URL ? url : auth.resolveUrl(url)),
    isApiUrl: (url) => auth.isApiUrl(url),
    peekToken: () => auth.peekToken(),
    // The request's signal ends its own wait for a token, not the shared token request.
    getToken: (options) => auth.getToken(options),
    tokenAfterUnauthorized: (sent, options) => auth.tokenAfterUnauthorized(sent, options),
  }
}

// RESTDataSource's fetchers take headers as a plain object. Core hands back a plain object when
// given one (RESTDataSource gives one), and a Headers otherwise: only that is converted.
function toFetcherInit(init: RequestInit): FetcherInit {
  if (!(init.headers instanceof Headers)) return init as FetcherInit

  const headers: Record<string, string> = {}

  for (const [name, value] of init.headers) headers[name] = value

  return { ...(init as FetcherInit), headers }
}

// Core reads and cancels bodies the web way; a fetcher such as node-fetch returns Node streams.
function asWebResponse(response: FetcherResponse): Response | Promise<Response> {
  return response instanceof Response ? response : copied(response)
}

async function copied(response: FetcherResponse): Promise<Response> {
  const empty = [101, 204, 205, 304].includes(response.status)
  const body = empty ? null : await response.arrayBuffer()

  return new Response(body, {
    status: response.status,
    statusText: response.statusText,
    headers: [...response.headers],
  })
}
