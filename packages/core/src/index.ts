export type { Claims } from './claim-lookup.js'
export {
  LoyalToken,
  type LoyalTokenSummary,
  type ParseTokenOptions,
  parseToken,
} from './loyal-token.js'
export { REDACTED, redactSecrets } from './redact.js'
export { assertScopes, checkScopes, type ScopeCheck, type ScopeHolder } from './scope-check.js'
export { type RawScopes, readRawScopes, SCOPE_CLAIMS } from './scope-claims.js'
export { expandAction, parseScopeRule, type ScopeRule } from './scope-notation.js'
export { parseScopes, ScopeGrants, type ScopeMode } from './scopes.js'
export type { ExpirySource } from './token-expiry.js'
