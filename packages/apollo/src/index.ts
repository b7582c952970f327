export {
  isLoyalError,
  LoyalAuth,
  LoyalError,
  type LoyalErrorCode,
} from '@loyal-auth/core'
export type { Fetcher } from './authorized-fetcher.js'
export type { LoyalFetch, LoyalFetchInit, LoyalFetchResponse } from './fetch-option.js'
export {
  type LoyalGraphQLErrorCode,
  type LoyalGraphQLErrorExtensions,
  toGraphQLError,
} from './graphql-errors.js'
export { LoyalDataSource, type LoyalDataSourceOptions } from './loyal-data-source.js'
