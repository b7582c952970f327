/**
 * Copies of a request's headers with some names removed or set. Headers given as a plain
 * object (or none) stay a plain object: building a `Headers` here would cost a transport that
 * wants plain objects (RESTDataSource's) a conversion back, and fetch builds its own anyway.
 * Any other kind becomes a `Headers`.
 */

import { isPlainObject } from './plain-object.js'

/** What `fetch` itself drops on a hop to another origin (the fetch standard, and undici's). */
const CREDENTIALS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie'])

const AUTHORIZATION: ReadonlySet<string> = new Set(['authorization'])

const NONE: ReadonlySet<string> = new Set()

/** A copy of `headers` whose only Authorization is `bearer` (none when `undefined`). */
export function withAuthorization(
  headers: HeadersInit | undefined,
  bearer: string | undefined
): HeadersInit {
  const copy = headersWithout(headers, AUTHORIZATION)
  if (bearer === undefined) return copy

  if (copy instanceof Headers) copy.set('authorization', bearer)
  else (copy as Record<string, string>).authorization = bearer

  return copy
}

/** `init` as it may go on to another origin: without the caller's credentials. */
export function withoutCredentials(init: RequestInit): RequestInit {
  return { ...init, headers: headersWithout(init.headers, CREDENTIALS) }
}

/** `init` with a copy of its headers, which later changes to the caller's object miss. */
export function withCopiedHeaders(init: RequestInit): RequestInit {
  return { ...init, headers: headersWithout(init.headers, NONE) }
}

function headersWithout(
  headers: HeadersInit | undefined,
  names: ReadonlySet<string>
): Headers | Record<string, string> {
  if (headers === undefined) return {}

  if (isPlainObject(headers)) {
    const copy: Record<string, string> = {}

    for (const name of Object.keys(headers)) {
      if (!names.has(name.toLowerCase())) copy[name] = headers[name] as string
    }

    return copy
  }

  const copy = new Headers(headers)
  for (const name of names) copy.delete(name)

  return copy
}
