/** Statuses whose `Location` a client following redirects goes to. */
export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])

/** The fetch standard's redirect limit. */
export const MAX_REDIRECTS = 20

/** Strings, bytes, Blobs, FormData and URLSearchParams can be sent twice; streams cannot. */
export function isReplayable(body: RequestInit['body']): boolean {
  if (body === undefined || body === null) return true
  if (typeof ReadableStream !== 'undefined' && body instanceof ReadableStream) return false

  return typeof (body as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== 'function'
}

/**
 * The request a redirect leads to: 303, and 301/302 after a POST, turn into a bodiless GET;
 * `undefined` when the body would have to be sent again and cannot be.
 */
export function redirectedRequest(init: RequestInit, status: number): RequestInit | undefined {
  const method = (init.method ?? 'GET').toUpperCase()
  const toGet =
    status === 303 ? method !== 'HEAD' : method === 'POST' && status !== 307 && status !== 308
  if (!toGet) return isReplayable(init.body) ? init : undefined

  const headers = new Headers(init.headers)
  for (const name of ['content-type', 'content-length', 'content-encoding']) headers.delete(name)

  return { ...init, method: 'GET', body: null, headers }
}
