export {
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_NAME,
  DEFAULT_ROLES,
  DEFAULT_SCOPES,
} from './client-registry.js'
export type {
  FaultHandle,
  FaultTiming,
  LoyalApiFaults,
  MalformedBody,
  RouteFault,
  TokenFault,
} from './faults.js'
export type { LoyalApiCounters, RecordedRequest } from './recorder.js'
export type { Location, Provider, Rollup, Rule, User } from './sample-data.js'
export { LOCATIONS, PROVIDERS, ROLLUPS, RULES, USERS } from './sample-data.js'
export { MS_SCOPE_CLAIM, SCOPE_ENCODINGS } from './scope-encoding.js'
export { DEFAULT_SETTINGS } from './settings.js'
export { type LoyalApi, startLoyalApi } from './start-loyal-api.js'
export { ISSUER, NAME_CLAIM, ROLE_CLAIM } from './token-authority.js'
export type {
  ExpFormat,
  InvalidKeyStatus,
  IssueTokenOptions,
  LoyalApiClient,
  LoyalApiClientOptions,
  LoyalApiSettings,
  ResponseCase,
  ScopeEncoding,
  StartLoyalApiOptions,
} from './types.js'
