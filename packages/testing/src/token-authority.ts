import { randomUUID } from 'node:crypto'
import { compactVerify, SignJWT } from 'jose'
import { encodeScopes } from './scope-encoding.js'
import type { ExpFormat, IssueTokenOptions, LoyalApiClient, ScopeEncoding } from './types.js'

/** Claim URIs of the published example token. */
export const ROLE_CLAIM = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role'
export const NAME_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name'
export const ISSUER = 'loyalhealth.com'

const DAY = 86_400_000

// An exp above this is plainly milliseconds (seconds would put it past the year 5000).
const MS_EXP_THRESHOLD = 100_000_000_000

/** Everything needed to mint one token, after defaults are applied. */
export interface TokenPlan {
  client: LoyalApiClient
  scopeEncoding: ScopeEncoding
  expFormat: ExpFormat
  issuedAt: number
  expiresAt: number
  claims?: Readonly<Record<string, unknown>> | undefined
  secret?: string | Uint8Array | undefined
}

export type Verdict =
  | { ok: true; claims: Record<string, unknown>; clientId: string | undefined }
  | { ok: false; reason: 'malformed' | 'signature' | 'expired' | 'revoked' }

interface IssuedToken {
  issuedAt: number
  clientId: string
}

/** Signs tokens like the Loyal API and judges the bearer tokens that come back. */
export class TokenAuthority {
  readonly #secret: Uint8Array
  readonly #issued = new Map<string, IssuedToken>()
  readonly #revoked = new Set<string>()

  constructor(secret: string | Uint8Array) {
    this.#secret = toKey(secret)
  }

  async mint(plan: TokenPlan): Promise<string> {
    const payload = removeUndefined({ ...baseClaims(plan), ...plan.claims })
    const key = plan.secret === undefined ? this.#secret : toKey(plan.secret)
    const token = await new SignJWT(payload)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(key)

    this.#issued.set(token, { issuedAt: plan.issuedAt, clientId: plan.client.clientId })

    return token
  }

  /** Revokes one token, or every token issued so far when called without one. */
  revoke(token?: string): void {
    const tokens = token === undefined ? this.#issued.keys() : [token]

    for (const one of tokens) this.#revoked.add(one)
  }

  clearRevocations(): void {
    this.#revoked.clear()
  }

  async verify(token: string, serverNow: number): Promise<Verdict> {
    const claims = await this.#verifySignature(token)

    if (claims === 'malformed' || claims === 'signature') return { ok: false, reason: claims }
    if (this.#revoked.has(token)) return { ok: false, reason: 'revoked' }
    if (claims.iss !== ISSUER || !audienceMatches(claims.aud)) {
      return { ok: false, reason: 'signature' }
    }

    const expiresAt = this.#expiryOf(token, claims)

    if (expiresAt !== undefined && serverNow >= expiresAt) return { ok: false, reason: 'expired' }

    const clientId = typeof claims.ClientId === 'string' ? claims.ClientId : undefined

    return { ok: true, claims, clientId }
  }

  async #verifySignature(
    token: string
  ): Promise<Record<string, unknown> | 'malformed' | 'signature'> {
    let payload: Uint8Array

    try {
      ;({ payload } = await compactVerify(token, this.#secret, { algorithms: ['HS256'] }))
    } catch (error) {
      return isSignatureError(error) ? 'signature' : 'malformed'
    }

    try {
      const claims: unknown = JSON.parse(new TextDecoder().decode(payload))

      return isRecord(claims) ? claims : 'malformed'
    } catch {
      return 'malformed'
    }
  }

  // Without `exp` the API still ends a token after 24 hours, when it knows when it issued it.
  #expiryOf(token: string, claims: Record<string, unknown>): number | undefined {
    const exp = claims.exp

    if (typeof exp === 'number') return exp > MS_EXP_THRESHOLD ? exp : exp * 1000

    const issued = this.#issued.get(token)

    return issued === undefined ? undefined : issued.issuedAt + DAY
  }
}

function baseClaims(plan: TokenPlan): Record<string, unknown> {
  const { client } = plan
  const role = client.roles.length === 1 ? client.roles[0] : [...client.roles]

  return {
    [ROLE_CLAIM]: role,
    [NAME_CLAIM]: client.clientName,
    ClientId: client.clientId,
    ...encodeScopes(client.scopes, plan.scopeEncoding),
    exp: expClaim(plan.expiresAt, plan.expFormat),
    iss: ISSUER,
    aud: ISSUER,
    // Makes every token unique, even two issued within the same second.
    jti: randomUUID(),
  }
}

function expClaim(expiresAt: number, format: ExpFormat): number | undefined {
  if (format === 'none') return undefined
  if (format === 'milliseconds') return Math.floor(expiresAt)

  return Math.floor(expiresAt / 1000)
}

function audienceMatches(aud: unknown): boolean {
  return aud === ISSUER || (Array.isArray(aud) && aud.includes(ISSUER))
}

function isSignatureError(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'
}

function removeUndefined(claims: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined))
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}

function toKey(secret: string | Uint8Array): Uint8Array {
  return typeof secret === 'string' ? new TextEncoder().encode(secret) : secret
}

/** Resolves what {@link IssueTokenOptions} leave open against a client and the settings. */
export function planToken(
  options: IssueTokenOptions,
  client: LoyalApiClient,
  defaults: { scopeEncoding: ScopeEncoding; expFormat: ExpFormat; tokenDuration: number },
  serverNow: number
): TokenPlan {
  const merged: LoyalApiClient = {
    ...client,
    clientId: options.clientId ?? client.clientId,
    clientName: options.clientName ?? client.clientName,
    scopes: options.scopes ?? client.scopes,
    roles: options.roles ?? client.roles,
  }

  return {
    client: merged,
    scopeEncoding: options.scopeEncoding ?? client.scopeEncoding ?? defaults.scopeEncoding,
    expFormat: options.expFormat ?? defaults.expFormat,
    issuedAt: serverNow,
    expiresAt: options.expiresAt ?? serverNow + (options.duration ?? defaults.tokenDuration),
    claims: options.claims,
    secret: options.secret,
  }
}
