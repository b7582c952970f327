import type { LoyalToken } from '@loyal-auth/core'

/** Request headers as axios holds them (`AxiosHeaders`) or as follow-redirects does (a plain object). */
export type HeaderBag = Record<string, unknown> & {
  get?: (name: string) => unknown
  set?: (name: string, value: string) => unknown
  delete?: (name: string) => unknown
}

// One string per token. axios runs a regex over every header value; a string built anew for
// each request is a rope in V8 and is copied flat each time, a kept one only once (bench/).
const bearers = new WeakMap<LoyalToken, string>()

// The bearers handed out lately, to tell ours from a caller's own `Authorization` on a request
// to another host. Tokens live a day; the last few dozen cover any config kept around.
const issued = new Set<string>()
const issuedLimit = 32

/** The `Authorization` value for a token. */
export function bearerOf(token: LoyalToken): string {
  let bearer = bearers.get(token)

  if (bearer === undefined) {
    bearer = `Bearer ${token.value}`
    bearers.set(token, bearer)
    remember(bearer)
  }

  return bearer
}

/** True for an `Authorization` value this package set on some request. */
export function isIssuedBearer(value: unknown): boolean {
  return typeof value === 'string' && issued.has(value)
}

function remember(bearer: string): void {
  issued.add(bearer)

  if (issued.size > issuedLimit) issued.delete(issued.values().next().value as string)
}

/** The `Authorization` value, whatever its case; `undefined` when there is none. */
export function getAuthorization(headers: HeaderBag | undefined): unknown {
  if (!headers) return undefined
  if (typeof headers.get === 'function') return headers.get('Authorization') ?? undefined

  const key = Object.keys(headers).find(isAuthorizationName)

  return key === undefined ? undefined : headers[key]
}

/**
 * Sets exactly one `Authorization` header, a plain string: any other spelling of the name is
 * removed first, so a retried request can never carry the old token next to the new one.
 *
 * Written as a property, the way axios' own docs set headers in interceptors, not through
 * `AxiosHeaders.set`, which runs axios' header-value sanitiser over the whole value on every
 * request (about 2 µs for a JWT here, see bench/). The values set here need no sanitising: a
 * token's value is a compact JWT, checked character by character when it was parsed, and the
 * redaction marker is a constant.
 */
export function setAuthorization(headers: HeaderBag, value: string): void {
  for (const name in headers) {
    if (name !== 'Authorization' && isAuthorizationName(name)) delete headers[name]
  }

  headers.Authorization = value
}

/**
 * Takes back the bearer `setAuthorization` put on `headers`, which left `Authorization` as the
 * only spelling. An `undefined` value is no header to axios (`has`, `get`, `toJSON` and the
 * adapters skip it), and unlike `delete` it leaves the object's shape alone: a deleted property
 * turns it into a slow dictionary for the rest of axios' work on the request.
 */
export function takeBackBearer(headers: HeaderBag): void {
  headers.Authorization = undefined
}

/** Removes every spelling of the `Authorization` header. */
export function deleteAuthorization(headers: HeaderBag): void {
  if (typeof headers.delete === 'function') {
    headers.delete('Authorization')

    return
  }

  for (const key of Object.keys(headers)) {
    if (isAuthorizationName(key)) delete headers[key]
  }
}

function isAuthorizationName(name: string): boolean {
  return name.length === 13 && name.toLowerCase() === 'authorization'
}
