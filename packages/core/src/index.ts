export { checkAuthOption, checkedScopes, configError, withConfigErrors } from './adapter-setup.js'
export {
  type ApiProxy,
  type ApiProxyAuth,
  type ApiProxyOptions,
  createApiProxy,
  type ProxyRequest,
} from './api-proxy.js'
export {
  authorizedFetch,
  type FetchHost,
  type FetchInput,
  type TokenWaitOptions,
} from './authorized-fetch.js'
export type { Claims } from './claim-lookup.js'
export { errorFromResponse } from './error-from-response.js'
export {
  type LoyalErrorBody,
  type LoyalErrorResponse,
  loyalErrorResponse,
} from './error-response.js'
export type { LoyalFetch, LoyalFetchInit, LoyalFetchResponse } from './fetch-option.js'
export type { Logger } from './logger.js'
export {
  type GetTokenOptions,
  LoyalAuth,
  type LoyalAuthDescription,
} from './loyal-auth.js'
export {
  httpStatusFor,
  isLoyalError,
  LoyalError,
  type LoyalErrorCode,
  type LoyalErrorOptions,
} from './loyal-error.js'
export {
  LoyalToken,
  type LoyalTokenSummary,
  type ParseTokenOptions,
  parseToken,
} from './loyal-token.js'
export { MemoryTokenStore } from './memory-token-store.js'
export type {
  LoyalAuthHooks,
  LoyalAuthOptions,
  RefreshFailedState,
  RetryOptions,
  TokenFetchedState,
} from './options.js'
export {
  compileAllowList,
  type ProxyAllowList,
  type ProxyRouteMatcher,
} from './proxy-allow-list.js'
export { FORWARDED_REQUEST_HEADERS, type IncomingHeaders } from './proxy-headers.js'
export type { TokenRecord, TokenRecordCodec } from './record-codec.js'
export { REDACTED, redactSecrets } from './redact.js'
export {
  createLoyalContext,
  isLoyalAuth,
  type LoyalAuthSource,
  type LoyalContext,
  loyalAuthResolver,
  settleLoyalAuth,
} from './request-context.js'
export { parseRetryAfter } from './retry.js'
export { assertScopes, checkScopes, type ScopeCheck, type ScopeHolder } from './scope-check.js'
export { type RawScopes, readRawScopes, SCOPE_CLAIMS } from './scope-claims.js'
export { expandAction, parseScopeRule, type ScopeRule } from './scope-notation.js'
export { parseScopes, ScopeGrants, type ScopeMode } from './scopes.js'
export type { ExpirySource } from './token-expiry.js'
export type { TokenStore, TokenStoreLock } from './token-store.js'
