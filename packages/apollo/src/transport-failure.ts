import type { Fetcher } from './authorized-fetcher.js'

// Core follows redirects itself and gives up with this, as fetch would with a network error.
const TOO_MANY_REDIRECTS = 'Too many redirects'

// node-fetch's FetchError types for a request that did not get through.
const NODE_FETCH_TIMEOUTS = new Set(['request-timeout', 'body-timeout'])

const fromTransport = new WeakSet<object>()
const reporting = new WeakMap<Fetcher, Fetcher>()

/**
 * `fetcher`, remembering what it rejects with: only a failure of the transport itself can mean
 * that the Loyal API was not reached; the same error thrown by the user's own code (a hook
 * that fetches something else) cannot.
 */
export function reportingTransportFailures(fetcher: Fetcher): Fetcher {
  let reported = reporting.get(fetcher)

  if (reported === undefined) {
    reported = (url, init) => fetcher(url, init).catch(remembered)
    // One per transport, like the fetcher: a data source made per operation builds none.
    reporting.set(fetcher, reported)
  }

  return reported
}

function remembered(error: unknown): never {
  if (typeof error === 'object' && error !== null) fromTransport.add(error)

  throw error
}

/** Whether `error` came out of a transport that {@link reportingTransportFailures} watched. */
export function thrownByTransport(error: unknown): boolean {
  return typeof error === 'object' && error !== null && fromTransport.has(error)
}

/**
 * Why the request did not get through, when `error` is how fetch implementations say so:
 * fetch's `TypeError` with the network error as its `cause` (undici), node-fetch's system and
 * timeout errors, an aborted or timed-out signal. `undefined` for anything else: an invalid
 * header or a custom fetch refusing is no failure to reach the API.
 *
 * The transport's own message is never quoted: node-fetch's holds the URL, query included.
 */
export function transportFailureReason(error: unknown): string | undefined {
  if (!(error instanceof Error)) return undefined
  if (error.name === 'AbortError') return 'the request was aborted'
  if (error.name === 'TimeoutError') return 'the request timed out'
  if (error.name === 'FetchError') return nodeFetchReason(error)
  if (!(error instanceof TypeError)) return undefined
  if (error.message === TOO_MANY_REDIRECTS) return 'it redirected too many times'
  if (error.cause === undefined && error.message !== 'fetch failed') return undefined

  return `fetch failed${systemCode(error)}`
}

function nodeFetchReason(error: Error & { type?: unknown }): string | undefined {
  if (error.type === 'system') return `fetch failed${systemCode(error)}`
  if (NODE_FETCH_TIMEOUTS.has(String(error.type))) return 'the request timed out'

  return undefined
}

/** ` (ECONNREFUSED)`: the system error code a fetch failure wraps, never its message. */
export function systemCode(error: unknown): string {
  const inner = (error as { cause?: { code?: unknown } } | undefined)?.cause
  const code = inner?.code ?? (error as { code?: unknown } | undefined)?.code

  return typeof code === 'string' && /^[A-Z][A-Z0-9_]*$/.test(code) ? ` (${code})` : ''
}
