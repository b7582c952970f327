/**
 * What the `fetch` option is called with, typed as the web `fetch`, undici and node-fetch (2
 * and 3) all take it, so any of them fits the option and an inline wrapper gets typed
 * parameters. At run time `headers` may also be a `Headers`, and `body` whatever was given to
 * `auth.fetch` (bytes, a Blob, FormData, a stream): every one of those implementations takes
 * them, though not every one's types say so.
 */
export interface LoyalFetchInit {
  method?: string
  headers?: Record<string, string>
  body?: string
  /** `manual`: the SDK follows redirects itself, so a bearer never follows one off the API. */
  redirect?: 'follow' | 'error' | 'manual'
  signal?: AbortSignal | null
}

/** What the SDK reads of a response: the web `Response` and node-fetch's both offer it. */
export interface LoyalFetchResponse {
  readonly status: number
  readonly statusText: string
  readonly ok: boolean
  readonly headers: { get(name: string): string | null }
  text(): Promise<string>
}

/**
 * The `fetch` option of `LoyalAuth`: called with the URL as a string.
 *
 * @example
 * new LoyalAuth({ apiKey, fetch: (url, init) => fetch(url, { ...init, keepalive: true }) })
 */
export type LoyalFetch = (url: string, init?: LoyalFetchInit) => Promise<LoyalFetchResponse>

/** The web `fetch` the SDK calls through, from whichever `fetch` was given. */
export function asWebFetch(
  fetch: LoyalFetch
): (url: string, init: RequestInit) => Promise<Response> {
  // Types only: see LoyalFetchInit for what arrives at run time.
  return fetch as unknown as (url: string, init: RequestInit) => Promise<Response>
}
