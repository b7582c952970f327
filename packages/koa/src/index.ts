export {
  type ApiProxyOptions,
  isLoyalError,
  LoyalError,
  type LoyalErrorCode,
} from '@loyal-auth/core'
export type { AuthOption } from './auth-option.js'
export type { LoyalErrorBody } from './error-body.js'
export { type KoaContext, type LoyalOptions, type LoyalState, loyal } from './loyal.js'
export type { LoyalContext } from './loyal-context.js'
export { loyalErrorHandler } from './loyal-error-handler.js'
export { type LoyalProxyOptions, loyalProxy } from './loyal-proxy.js'
export { type InsufficientScopeBody, type RequireScopes, requireScopes } from './require-scopes.js'
