export {
  type ApiProxyOptions,
  isLoyalError,
  type LoyalAuthSource,
  type LoyalContext,
  LoyalError,
  type LoyalErrorBody,
  type LoyalErrorCode,
} from '@loyal-auth/core'
export { type LoyalOptions, loyal } from './loyal.js'
export { loyalErrorHandler } from './loyal-error-handler.js'
export { type LoyalProxyOptions, loyalProxy } from './loyal-proxy.js'
export { type InsufficientScopeBody, type RequireScopes, requireScopes } from './require-scopes.js'
