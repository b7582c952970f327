import type { DataSourceConfig } from '@apollo/datasource-rest'
import type { LoyalToken } from '@loyal-auth/core'
import { type RequestState, stateOf, withoutState } from './request-state.js'

/** The fetch signature RESTDataSource's HTTP cache calls. */
export type Fetcher = NonNullable<DataSourceConfig['fetch']>

type FetcherInit = NonNullable<Parameters<Fetcher>[1]>
type FetcherResponse = Awaited<ReturnType<Fetcher>>

/**
 * Wraps `send` so each request to the Loyal API carries the bearer of the request's own
 * `LoyalAuth`, and a 401 is answered by one replay with the token core hands out after it.
 *
 * This sits *below* RESTDataSource's HTTP cache and request deduplication: the first 401 never
 * reaches either, so it can be neither stored nor shared with the replay, and the bearer never
 * enters a cache entry (http-cache-semantics keeps request headers when a response has `Vary`).
 */
export function createAuthorizedFetcher(send: Fetcher): Fetcher {
  return async function authorizedFetch(url, init = {}) {
    const state = stateOf(init)
    const plain = withoutState(init)

    if (state === undefined || !state.auth.isApiUrl(url)) return send(url, plain)

    const sent = state.auth.peekToken() ?? (await state.auth.getToken({ signal: init.signal }))
    const response = await send(url, withBearer(plain, sent))

    if (response.status !== 401) return response

    return replayAfterUnauthorized(send, url, plain, { state, sent, response })
  }
}

interface Unauthorized {
  state: RequestState
  sent: LoyalToken
  response: FetcherResponse
}

// Core decides whether `sent` still needs replacing (single flight across every client of this
// credential). A second 401 goes back up and becomes UNAUTHENTICATED.
async function replayAfterUnauthorized(
  send: Fetcher,
  url: string,
  init: FetcherInit,
  { state, sent, response }: Unauthorized
): Promise<FetcherResponse> {
  await discardBody(response)

  const next = await state.auth.tokenAfterUnauthorized(sent, { signal: init.signal })

  return send(url, withBearer(init, next))
}

function withBearer(init: FetcherInit, token: LoyalToken): FetcherInit {
  return { ...init, headers: { ...init.headers, authorization: `Bearer ${token.value}` } }
}

// Reading the body frees the connection for the replay; its content is of no use.
async function discardBody(response: FetcherResponse): Promise<void> {
  await response.arrayBuffer().catch(() => undefined)
}
