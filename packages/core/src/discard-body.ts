/** A response body as web `fetch` or a Node-stream `fetch` (node-fetch and the like) gives it. */
interface AnyBody {
  cancel?: () => Promise<unknown>
  destroy?: () => unknown
}

/**
 * Frees the connection of a response nobody will read. A `fetch` passed in by the caller may
 * answer with a Node stream, which has `destroy` where a web stream has `cancel`: calling the
 * wrong one threw, and turned a 401, a redirect or a refused key into a raw `TypeError`.
 */
export function discardBody(response: { body?: unknown }): void {
  const body = response.body as AnyBody | null | undefined

  try {
    if (typeof body?.cancel === 'function') body.cancel().catch(() => {})
    else if (typeof body?.destroy === 'function') body.destroy()
  } catch {
    // A body that is already gone needs no freeing.
  }
}
