/**
 * The API's clock, as told by the `Date` header of the token response. Expiry is judged on it,
 * so a local clock hours off neither sends dead tokens nor refreshes in a loop.
 */

/**
 * The `Date` header has one-second resolution: the API's clock read somewhere in the second it
 * names, up to 999 ms later.
 */
const headerResolution = 999

/**
 * Offset in ms to add to the local clock to read the API's clock, or `undefined` when the header
 * is absent or unreadable (the caller keeps the offset it had).
 *
 * The header is read as the last instant of its second, so the API's clock is never taken to be
 * behind what it may be: a token can look up to a second shorter-lived than it is, never longer.
 * The network's delay makes the offset a little late still; the skew margin absorbs that.
 */
export function clockOffsetFrom(
  dateHeader: string | null,
  localReceivedAt: number
): number | undefined {
  if (dateHeader === null) return undefined

  const serverTime = Date.parse(dateHeader)
  if (!Number.isFinite(serverTime)) return undefined

  return serverTime + headerResolution - localReceivedAt
}
