import type { Claims } from './claim-lookup.js'

/** Where a token's expiry came from; worth a log line when it is not `seconds`. */
export type ExpirySource = 'seconds' | 'milliseconds' | 'fallback'

/** A token's expiry and how it was read. */
export interface TokenExpiry {
  /** Epoch milliseconds. */
  readonly expiresAt: number
  readonly source: ExpirySource
}

/** How long a token without `exp` is taken to live: the documented 24 hours. */
export const DEFAULT_TOKEN_LIFETIME = 24 * 60 * 60 * 1000

// 1e11 seconds is the year 5138, while 1e11 milliseconds is 1973: any `exp` above it is
// plainly milliseconds.
const MILLISECONDS_THRESHOLD = 1e11

// The last instant a `Date` can hold; beyond it an `exp` is junk.
const MAX_DATE = 8.64e15

/**
 * Reads `exp`: seconds as the JWT spec says, milliseconds when the value is plainly that, and
 * `fetchedAt` plus 24 hours when the claim is missing, not a positive number or past any date (a numeric
 * string counts as a number).
 *
 * @example
 * readExpiry({ exp: 1530212030 }, Date.now()) // { expiresAt: 1530212030000, source: 'seconds' }
 */
export function readExpiry(claims: Claims, fetchedAt: number): TokenExpiry {
  const exp = numericClaim(claims.exp)

  if (exp === undefined || exp > MAX_DATE) return fallbackExpiry(fetchedAt)
  if (exp > MILLISECONDS_THRESHOLD) return { expiresAt: exp, source: 'milliseconds' }

  return { expiresAt: exp * 1000, source: 'seconds' }
}

function fallbackExpiry(fetchedAt: number): TokenExpiry {
  return { expiresAt: fetchedAt + DEFAULT_TOKEN_LIFETIME, source: 'fallback' }
}

function numericClaim(value: unknown): number | undefined {
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value

  return typeof number === 'number' && Number.isFinite(number) && number > 0 ? number : undefined
}
