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
  const hostFor = hostsOf(send)

  return async function authorizedFetcher(url, init = {}) {
    const state = stateOf(init)
    const plain = withoutState(init)

    if (state === undefined) return send(url, plain)

    const response = await authorizedFetch(hostFor(state.auth), url, plain as RequestInit)

    return response as unknown as FetcherResponse
  }
}

// A data source is usually made per operation, with the same transport each time: the hosts
// are kept per transport, so an operation builds none.
const hostsByTransport = new WeakMap<Fetcher, (auth: LoyalAuth) => FetchHost>()

function hostsOf(send: Fetcher): (auth: LoyalAuth) => FetchHost {
  let hostFor = hostsByTransport.get(send)

  if (hostFor === undefined) {
    const hosts = new WeakMap<LoyalAuth, FetchHost>()

    hostFor = (auth) => {
      let host = hosts.get(auth)

      if (host === undefined) {
        host = fetchHost(auth, send)
        hosts.set(auth, host)
      }

      return host
    }
    hostsByTransport.set(send, hostFor)
  }

  return hostFor
}

// Everything token-related is the auth's; only the transport is the data source's.
function fetchHost(auth: LoyalAuth, send: Fetcher): FetchHost {
  return {
    fetch: (url, init) => send(url.href, toFetcherInit(init)).then(asWebResponse),
    resolveUrl: (url) => auth.resolveUrl(url),
    isApiUrl: (url) => auth.isApiUrl(url),
    peekToken: () => auth.peekToken(),
    // The request's signal ends its own wait for a token, not the shared token request.
    getToken: (options) => auth.getToken(options),
    tokenAfterUnauthorized: (sent, options) => auth.tokenAfterUnauthorized(sent, options),
  }
}

// RESTDataSource's fetchers take headers as a plain object; core hands over a Headers.
function toFetcherInit(init: RequestInit): FetcherInit {
  const headers: Record<string, string> = {}

  const source = init.headers instanceof Headers ? init.headers : new Headers(init.headers)

  for (const [name, value] of source) headers[name] = value

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
