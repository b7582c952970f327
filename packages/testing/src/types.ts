/**
 * How the server writes a client's scopes into the tokens it issues. The Loyal API does not
 * publish its format, so clients must cope with all of these:
 *
 * | encoding | claim |
 * | --- | --- |
 * | `'space'` | `scopes: "users:read rules:read rules:write"` |
 * | `'array'` | `scopes: ["users:read", "rules:read", "rules:write"]` |
 * | `'comma'` | `scopes: "users:read,rules:read,rules:write"` |
 * | `'scope'` | `scope: "users:read rules:read rules:write"` (OAuth 2) |
 * | `'scp'` | `scp: "users:read rules:read rules:write"` (Azure AD) |
 * | `'map'` | `scopes: { users: { actions: ["read"] }, rules: { actions: ["read", "write"] } }` |
 * | `'dotted'` | `scopes: "Users.Read Rules.ReadWrite"` |
 * | `'ms-uri'` | `"http://schemas.microsoft.com/identity/claims/scope": "users:read ..."` |
 * | `'none'` | no scope claim at all, like the published example token |
 */
export type ScopeEncoding =
  | 'space'
  | 'array'
  | 'comma'
  | 'scope'
  | 'scp'
  | 'map'
  | 'dotted'
  | 'ms-uri'
  | 'none'

/** How `exp` is written: seconds (the JWT standard), milliseconds (a common bug), or not at all. */
export type ExpFormat = 'seconds' | 'milliseconds' | 'none'

/** Field names of the token response: `authenticated`/`token` or .NET's `Authenticated`/`Token`. */
export type ResponseCase = 'camel' | 'pascal'

/**
 * What the token endpoint answers to a missing or unknown API key. `200` means
 * `200 {"authenticated": false, "token": null}`.
 */
export type InvalidKeyStatus = 200 | 400 | 401 | 403

/** Behaviour that can be changed while the server runs, with {@link LoyalApi.configure}. */
export interface LoyalApiSettings {
  /** Default `'space'`. A client's own `scopeEncoding` wins over this. */
  scopeEncoding: ScopeEncoding
  /** Lifetime of issued tokens in milliseconds. Default 86_400_000 (24 hours). */
  tokenDuration: number
  /** Default `'seconds'`. */
  expFormat: ExpFormat
  /** Default `'camel'`. */
  responseCase: ResponseCase
  /** Default `401`. */
  invalidKeyStatus: InvalidKeyStatus
  /**
   * Milliseconds the API's clock is ahead of `now()` (negative: behind). Drives the `Date`
   * header, `exp` and the expiry check on calls. Default 0.
   */
  clockOffset: number
  /** Answer 403 to calls the token's scopes do not allow. Default `true`. */
  enforceScopes: boolean
}

/** Credentials and identity of one API client (one tenant). */
export interface LoyalApiClientOptions {
  apiKey: string
  /** `ClientId` claim. Default: a random GUID. */
  clientId?: string
  /** Name claim. Default: `'Client <n>'`. */
  clientName?: string
  /** `resource:action` strings. Default: read on empower, users, rules; write on rules. */
  scopes?: readonly string[]
  /** Role claim values. Default: `['LoyalApiClientAccess']`. */
  roles?: readonly string[]
  /** Overrides the server-wide encoding for this client's tokens. */
  scopeEncoding?: ScopeEncoding
}

/** A registered client, as the server sees it. */
export interface LoyalApiClient {
  readonly apiKey: string
  readonly clientId: string
  readonly clientName: string
  readonly scopes: readonly string[]
  readonly roles: readonly string[]
  readonly scopeEncoding: ScopeEncoding | undefined
}

export interface StartLoyalApiOptions extends Partial<LoyalApiSettings> {
  /** API key of the default client. Default: a random `loyal_test_…` key. */
  apiKey?: string
  /** `ClientId` of the default client. Default: `'714df406-8802-479f-a96b-f4e362ebab70'`. */
  clientId?: string
  /** Name of the default client. Default: `'Piedmont Healthcare'`. */
  clientName?: string
  /** Scopes of the default client. Default: {@link DEFAULT_SCOPES}. */
  scopes?: readonly string[]
  /** Roles of the default client. Default: `['LoyalApiClientAccess']`. */
  roles?: readonly string[]
  /** Our clock in epoch ms; the API's clock is `now() + clockOffset`. Default `Date.now`. */
  now?: () => number
  /** HS256 signing secret. Default: 32 random bytes. */
  secret?: string | Uint8Array
  /** Path of the token endpoint. Default `'/auth/client/token'`. */
  tokenPath?: string
  /**
   * How many recent requests `api.requests` keeps (up to a tenth more between trims); older
   * ones are dropped, counters still count them. `0` records none (benchmarks). Default 10_000.
   */
  maxRequests?: number
  /** Default `'127.0.0.1'`. */
  host?: string
  /** Default 0: a free port chosen by the OS. */
  port?: number
}

/** Options of {@link LoyalApi.issueToken}. Unset fields come from the client and the settings. */
export interface IssueTokenOptions {
  /** Whose identity and scopes the token carries. Default: the default client. */
  apiKey?: string
  clientId?: string
  clientName?: string
  scopes?: readonly string[]
  roles?: readonly string[]
  scopeEncoding?: ScopeEncoding
  expFormat?: ExpFormat
  /** Lifetime in milliseconds from the server's now. */
  duration?: number
  /** Absolute expiry in epoch milliseconds on the server's clock; wins over `duration`. */
  expiresAt?: number
  /** Merged last into the payload; a key set to `undefined` removes that claim. */
  claims?: Readonly<Record<string, unknown>>
  /** Sign with another secret, making a token the server rejects with 401. */
  secret?: string | Uint8Array
}
