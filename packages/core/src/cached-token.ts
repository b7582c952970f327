import { type LoyalToken, parseToken } from './loyal-token.js'
import type { TokenRecord } from './record-codec.js'

/**
 * A token as the cache holds it, with its usable life and refresh point worked out once, on the
 * API's clock (local time + `record.clockOffset`).
 */
export interface CachedToken {
  readonly token: LoyalToken
  readonly record: TokenRecord
  /** API-clock ms after which the token is never handed out (expiry minus skew). */
  readonly usableUntil: number
  /** API-clock ms at which the background refresh is due. */
  readonly refreshAt: number
  /** Set once the token was judged unusable, so a clock jumping back cannot revive it. */
  spent: boolean
  /** True when the token looked expired on arrival and was given a short grace (see below). */
  readonly graced: boolean
}

export interface LifeOptions {
  skewDuration: number
  refreshWindow: readonly [number, number]
  random?: () => number
}

/**
 * Longest grace a freshly fetched token gets when it looks unusable, or nearly so, on arrival (a
 * clock far off with no `Date` header, or a token about as short-lived as the skew). Without it
 * every call would fetch anew; with it the endpoint sees at most one request per grace.
 */
export const arrivalGrace = 10_000

/**
 * Decodes a record and works out its usable life.
 *
 * @throws LoyalError `malformed_token` when the JWT cannot be decoded (see `parseToken`).
 */
export function cacheToken(record: TokenRecord, options: LifeOptions, fresh: boolean): CachedToken {
  const arrival = record.fetchedAt + record.clockOffset
  const token = parseToken(record.token, { fetchedAt: arrival })
  const expiresAt = token.expiresAt.getTime()

  let usableUntil = expiresAt - options.skewDuration
  const graced = fresh && usableUntil <= arrival

  // Half the remaining life of a short-lived token, or the whole grace when our clock is wrong.
  // Also for a token the skew leaves only moments of (a 31 s token, a 30 s skew, and `exp` in
  // whole seconds): without it, every call in a row would fetch a new one.
  const left = expiresAt - arrival
  const graceUntil = arrival + (left > 0 ? Math.min(arrivalGrace, left / 2) : arrivalGrace)
  if (fresh && graceUntil > usableUntil) usableUntil = graceUntil

  const [from, to] = options.refreshWindow
  const fraction = from + (to - from) * (options.random ?? Math.random)()
  const refreshAt = arrival + Math.max(0, usableUntil - arrival) * fraction

  return { token, record, usableUntil, refreshAt, spent: false, graced }
}

/** The API's clock now, as seen through this token's offset. */
export function apiNow(entry: CachedToken, localNow: number): number {
  return localNow + entry.record.clockOffset
}

/** Whether the token may still be sent; once it may not, it never may again. */
export function isUsable(entry: CachedToken, localNow: number): boolean {
  if (entry.spent) return false
  if (apiNow(entry, localNow) < entry.usableUntil) return true

  entry.spent = true

  return false
}
