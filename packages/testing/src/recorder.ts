import type { IncomingMessage } from 'node:http'

/** Live numbers; the same object for the server's whole life (`reset()` zeroes it in place). */
export interface LoyalApiCounters {
  /** Requests to the token path, whatever the answer. */
  tokenRequests: number
  /** Tokens the token endpoint handed out (not those of `issueToken`). */
  tokensIssued: number
  /** Requests to any other path. */
  apiRequests: number
  /** 401 answers on API routes (route faults included). */
  unauthorized: number
  /** 403 answers on API routes. */
  forbidden: number
  /** Requests a fault was applied to. */
  faulted: number
  /** Requests per path (no query string), token path included. */
  paths: Record<string, number>
}

/** One request as the server received it. */
export interface RecordedRequest {
  kind: 'token' | 'api'
  method: string
  /** Path without the query string. */
  path: string
  /** Path and query string, as sent. */
  url: string
  /** Lower-case names; repeated headers joined with `', '`, as the Fetch `Headers` does. */
  headers: Record<string, string>
  /** Node's flat `[name, value, name, value, ...]` list, exactly as received. */
  rawHeaders: readonly string[]
  /** Every `Authorization` value received, in order: exactly one is the healthy case. */
  authorization: readonly string[]
  /** Body text, or `undefined` when empty. */
  body: string | undefined
  /** Server clock (epoch ms) when it arrived. */
  receivedAt: number
  /** Status answered; `undefined` while pending or when the request was left hanging. */
  status: number | undefined
}

export function createCounters(): LoyalApiCounters {
  return {
    tokenRequests: 0,
    tokensIssued: 0,
    apiRequests: 0,
    unauthorized: 0,
    forbidden: 0,
    faulted: 0,
    paths: {},
  }
}

export function resetCounters(counters: LoyalApiCounters): void {
  Object.assign(counters, createCounters())
}

export function recordRequest(
  req: IncomingMessage,
  kind: RecordedRequest['kind'],
  path: string,
  body: string,
  receivedAt: number
): RecordedRequest {
  const headers = headerMap(req.rawHeaders)

  return {
    kind,
    method: req.method ?? 'GET',
    path,
    url: req.url ?? path,
    headers: Object.fromEntries([...headers].map(([name, values]) => [name, values.join(', ')])),
    rawHeaders: Object.freeze([...req.rawHeaders]),
    authorization: Object.freeze(headers.get('authorization') ?? []),
    body: body === '' ? undefined : body,
    receivedAt,
    status: undefined,
  }
}

/** Every header with all its values; Node's `req.headers` silently drops repeated ones. */
export function headerMap(rawHeaders: readonly string[]): Map<string, string[]> {
  const map = new Map<string, string[]>()

  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase()
    const values = map.get(name) ?? []

    values.push(rawHeaders[i + 1]!)
    map.set(name, values)
  }

  return map
}
