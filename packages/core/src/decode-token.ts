import { decodeJwt, decodeProtectedHeader } from 'jose'
import type { Claims } from './claim-lookup.js'
import { LoyalError } from './loyal-error.js'

/** The two decoded halves of a JWT; neither is verified. */
export interface DecodedToken {
  /** The JWT, without surrounding white space. */
  readonly value: string
  readonly header: Claims
  readonly claims: Claims
}

// Three base64url parts, the signature possibly empty. jose's decoder skips white space and
// other characters it does not know, so it would accept a token that `Headers` then refuses
// with a TypeError quoting the whole header value, token included.
const compactJwt = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/

/**
 * Decodes a compact JWT (white space around it ignored) without verifying it: the Loyal API
 * signs with HS256, which a client cannot check. Throws `LoyalError('malformed_token')`, whose
 * message never holds the input and which carries no `cause` (JSON parse errors quote what
 * they failed on); white space or any character outside base64url inside the JWT is malformed.
 *
 * @example
 * const { header, claims } = decodeToken(jwt) // header.alg === 'HS256'
 */
export function decodeToken(jwt: unknown): DecodedToken {
  const value = typeof jwt === 'string' ? jwt.trim() : ''

  if (value === '') throw malformed('it is empty or not a string')
  if (!compactJwt.test(value)) throw malformed('it is not a compact base64url JWT')

  const claims = attempt(() => decodeJwt(value), 'it is not a JWT with a JSON object payload')
  const header = attempt(() => decodeProtectedHeader(value), 'its header is not a JSON object')

  return { value, header: deepFreeze(header), claims: deepFreeze(claims) }
}

function attempt<T>(decode: () => T, reason: string): T {
  try {
    return decode()
  } catch {
    throw malformed(reason)
  }
}

function malformed(reason: string): LoyalError {
  return new LoyalError('malformed_token', `Malformed token: ${reason}`)
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value

  for (const child of Object.values(value)) deepFreeze(child)

  return Object.freeze(value)
}
