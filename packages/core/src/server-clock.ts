/**
 * The API's clock, as told by the `Date` header of the token response. Expiry is judged on it,
 * so a local clock hours off neither sends dead tokens nor refreshes in a loop.
 */

/**
 * Offset in ms to add to the local clock to read the API's clock, or `undefined` when the header
 * is absent or unreadable (the caller keeps the offset it had).
 *
 * The header has one-second resolution and arrives after the network's delay, so the offset is
 * good to about a second; the skew margin absorbs that.
 */
export function clockOffsetFrom(
  dateHeader: string | null,
  localReceivedAt: number
): number | undefined {
  if (dateHeader === null) return undefined

  const serverTime = Date.parse(dateHeader)
  if (!Number.isFinite(serverTime)) return undefined

  return serverTime - localReceivedAt
}
