// Re-exported so an axios-only app needs one import for the errors it may catch.
export {
  isLoyalError,
  LoyalAuth,
  type LoyalAuthOptions,
  LoyalError,
  type LoyalErrorCode,
} from '@loyal-auth/core'
export {
  attachLoyalAuth,
  type DetachLoyalAuth,
  type LoyalAxiosOptions,
} from './attach-loyal-auth.js'
export { createLoyalAxios } from './create-loyal-axios.js'
export type { ScrubbedRequest } from './scrub-axios-error.js'
