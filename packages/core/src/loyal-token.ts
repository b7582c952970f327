import type { Claims } from './claim-lookup.js'
import { decodeToken } from './decode-token.js'
import { parseScopes, type ScopeGrants, type ScopeMode } from './scopes.js'
import { readClientId, readClientName, readRoles } from './token-claims.js'
import { type ExpirySource, readExpiry } from './token-expiry.js'

/** Options of {@link parseToken}. */
export interface ParseTokenOptions {
  /**
   * When the token was received, in epoch milliseconds; a token without `exp` expires 24 hours
   * later. Default: `Date.now()`.
   */
  fetchedAt?: number
}

/** What `toJSON()`, `toString()` and `util.inspect` show of a token: never its value. */
export interface LoyalTokenSummary {
  clientId: string | undefined
  clientName: string | undefined
  roles: readonly string[]
  scopes: readonly string[]
  hasScopeInfo: boolean
  expiresAt: string
  expSource: ExpirySource
}

const inspectSymbol = Symbol.for('nodejs.util.inspect.custom')

type InspectFunction = (value: unknown, options?: unknown) => string

/**
 * A decoded Loyal API token. The JWT is not verified (HS256 cannot be, client side): use it to
 * schedule refreshes and check scopes before a call, never for security decisions.
 *
 * `value` is the JWT to send as `Authorization: Bearer <value>`. It is a non-enumerable getter,
 * and `toString()`, `toJSON()` and `util.inspect` never show it, so logging a token is safe.
 *
 * @example
 * const token = parseToken(jwt)
 * token.clientName // 'Piedmont Healthcare'
 * token.can('read', 'users') // true, false, or undefined when the token has no scope claim
 * await fetch(url, { headers: { Authorization: `Bearer ${token.value}` } })
 */
export class LoyalToken {
  readonly #value: string
  readonly #grants: ScopeGrants
  /** When the token expires: from `exp`, or fetch time + 24 hours without one. */
  readonly expiresAt: Date
  /** How `expiresAt` was read: `exp` in seconds, `exp` in milliseconds, or the fallback. */
  readonly expSource: ExpirySource
  readonly header: Claims
  readonly claims: Claims
  /** The scope strings as found in the token. */
  readonly scopes: readonly string[]
  readonly roles: readonly string[]
  /** The `ClientId` claim. */
  readonly clientId: string | undefined
  /** The Microsoft name claim (`http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name`). */
  readonly clientName: string | undefined
  /** False when the token carries no scope claim at all: scope checks then answer `undefined`. */
  readonly hasScopeInfo: boolean

  /**
   * Decodes `jwt`; the same as {@link parseToken}.
   *
   * @throws LoyalError `malformed_token` when `jwt` is not a decodable JWT.
   */
  constructor(jwt: string, options: ParseTokenOptions = {}) {
    const { value, header, claims } = decodeToken(jwt)
    const expiry = readExpiry(claims, options.fetchedAt ?? Date.now())

    this.#value = value
    this.#grants = parseScopes(claims)
    this.expiresAt = new Date(expiry.expiresAt)
    this.expSource = expiry.source
    this.header = header
    this.claims = claims
    this.scopes = this.#grants.raw
    this.roles = Object.freeze(readRoles(claims))
    this.clientId = readClientId(claims)
    this.clientName = readClientName(claims)
    this.hasScopeInfo = this.#grants.known
  }

  /** The JWT itself. Not enumerable; never shown by `toString`, `toJSON` or `inspect`. */
  get value(): string {
    return this.#value
  }

  /**
   * Whether the token has expired at `now` (epoch ms, default `Date.now()`). No skew applied.
   *
   * @example
   * if (token.isExpired()) token = await auth.getToken({ forceRefresh: true })
   */
  isExpired(now: number = Date.now()): boolean {
    return now >= this.expiresAt.getTime()
  }

  /**
   * Whether a scope, in any notation (`users:read`, `read:users`, `Users.Read`), is granted.
   * `undefined` when the token carries no scope information.
   *
   * @example
   * token.hasScope('rules:write')
   */
  hasScope(scope: string): boolean | undefined {
    return this.#grants.has(scope)
  }

  /**
   * Whether `action` on `resource` is granted; `readwrite` asks for both read and write.
   * `undefined` when the token carries no scope information.
   *
   * @example
   * token.can('read', 'users')
   */
  can(action: string, resource: string): boolean | undefined {
    return this.#grants.can(action, resource)
  }

  /**
   * The required scopes this token lacks (`mode: 'any'`: none when one of them is granted).
   * `undefined` when the token carries no scope information.
   *
   * @example
   * token.missingScopes(['users:read', 'rules:write']) // ['rules:write']
   */
  missingScopes(required: readonly string[], mode: ScopeMode = 'all'): string[] | undefined {
    return this.#grants.missing(required, mode)
  }

  /** Client, roles, scopes and expiry; never the token value. */
  toJSON(): LoyalTokenSummary {
    return {
      clientId: this.clientId,
      clientName: this.clientName,
      roles: this.roles,
      scopes: this.scopes,
      hasScopeInfo: this.hasScopeInfo,
      expiresAt: this.expiresAt.toISOString(),
      expSource: this.expSource,
    }
  }

  /** A one-line description, e.g. for logs; never the token value. */
  toString(): string {
    const client = this.clientName ?? this.clientId ?? 'unknown client'

    return `LoyalToken(${client}, expires ${this.expiresAt.toISOString()})`
  }

  // Node's util.inspect (console.log, REPL, test diffs) calls this instead of listing fields.
  [inspectSymbol](_depth: number, options: unknown, inspect?: InspectFunction): string {
    const summary = this.toJSON()
    const shown = inspect ? inspect(summary, options) : JSON.stringify(summary)

    return `LoyalToken ${shown}`
  }
}

/**
 * Decodes a JWT into a {@link LoyalToken}, without verifying it.
 *
 * @param jwt - the token as the token endpoint returned it.
 * @param options - `fetchedAt` (epoch ms, default now) dates a token that has no `exp`.
 * @throws LoyalError `malformed_token` (the message never holds the input).
 *
 * @example
 * const token = parseToken(body.token, { fetchedAt: Date.now() })
 * if (token.expSource !== 'seconds') logger.warn({ expSource: token.expSource }, 'odd exp')
 */
export function parseToken(jwt: string, options?: ParseTokenOptions): LoyalToken {
  return new LoyalToken(jwt, options)
}
