/** Incoming request headers as Node, Express and Koa hold them. */
export type IncomingHeaders = Readonly<Record<string, string | readonly string[] | undefined>>

/**
 * Browser headers a proxy passes on. Everything else stays behind: above all the browser's
 * `Authorization` and `Cookie`, which belong to our service, not to the Loyal API, and method
 * override headers that would turn an allowed GET into something else upstream.
 */
export const FORWARDED_REQUEST_HEADERS: readonly string[] = Object.freeze([
  'accept',
  'accept-language',
  'content-type',
  'content-language',
  'if-match',
  'if-none-match',
  'if-modified-since',
  'if-unmodified-since',
  'x-request-id',
  'x-correlation-id',
  'traceparent',
  'tracestate',
])

// Never forwarded, even when asked for: credentials, cookies, routing and framing. The proxy sets
// `content-encoding` itself: it holds only for the browser's own bytes, not for a parsed body.
const neverForwarded = new Set([
  'content-encoding',
  'authorization',
  'proxy-authorization',
  'cookie',
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'x-http-method-override',
  'x-http-method',
  'x-method-override',
])

// Never returned: credentials and cookies, challenges about *our* bearer, hop-by-hop framing,
// and encoding/length, which no longer hold once fetch has decoded the body.
const neverReturned = new Set([
  'authorization',
  'proxy-authorization',
  'set-cookie',
  'set-cookie2',
  'www-authenticate',
  'proxy-authenticate',
  'connection',
  'keep-alive',
  'proxy-connection',
  'transfer-encoding',
  'upgrade',
  'trailer',
  'te',
  'content-encoding',
  'content-length',
])

// RFC 9110 `token`: anything else is no header name and would never be matched.
const headerName = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/

/**
 * Checks and lower-cases the extra header names a proxy should forward; throws `TypeError`
 * for a list that is no array, a string that is no header name, and a header that must never
 * leave the browser's request.
 */
export function forwardedHeaderNames(extra: readonly string[] = []): ReadonlySet<string> {
  // A string is iterable too, and would be read one character at a time.
  if (!Array.isArray(extra)) {
    throw new TypeError('"forwardHeaders" must be an array of header names, such as ["x-tenant"]')
  }

  const names = new Set(FORWARDED_REQUEST_HEADERS)

  for (const name of extra) names.add(checkedHeaderName(name))

  return names
}

function checkedHeaderName(name: unknown): string {
  const lower = typeof name === 'string' ? name.trim().toLowerCase() : ''

  if (!headerName.test(lower)) {
    throw new TypeError(`"forwardHeaders" entry ${JSON.stringify(name)} is not a header name`)
  }

  if (neverForwarded.has(lower)) {
    throw new TypeError(`"forwardHeaders" may not include ${JSON.stringify(name)}`)
  }

  return lower
}

/** The upstream request headers: only the allowed names, never credentials or cookies. */
export function proxyRequestHeaders(
  incoming: IncomingHeaders,
  allowed: ReadonlySet<string>
): Headers {
  const headers = new Headers()

  for (const [name, value] of Object.entries(incoming)) {
    const lower = name.toLowerCase()

    if (value === undefined || !allowed.has(lower) || neverForwarded.has(lower)) continue

    headers.set(lower, typeof value === 'string' ? value : value.join(', '))
  }

  return headers
}

/**
 * The headers a proxy may return from an upstream response: without credentials, cookies,
 * challenges, hop-by-hop headers, and any header whose value `redact` would change (one that
 * echoes our API key or token).
 */
export function proxyResponseHeaders(upstream: Headers, redact: (text: string) => string): Headers {
  const headers = new Headers()

  for (const [name, value] of upstream) {
    if (neverReturned.has(name) || redact(value) !== value) continue

    headers.append(name, value)
  }

  return headers
}
