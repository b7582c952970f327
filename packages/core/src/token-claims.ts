import { type Claims, claimValues, firstStringClaim, isNonEmptyString } from './claim-lookup.js'

/** Claims that may carry roles, matched without regard to case. */
export const ROLE_CLAIMS: readonly string[] = [
  'role',
  'roles',
  'http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/role',
]

/** The claim the Loyal API puts the client's display name in. */
export const NAME_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name'

/**
 * Roles from every role claim, as a string or an array of strings; other values are ignored.
 *
 * @example
 * readRoles({ role: 'LoyalApiClientAccess' }) // ['LoyalApiClientAccess']
 */
export function readRoles(claims: Claims): string[] {
  const roles = claimValues(claims, ROLE_CLAIMS)
    .flatMap((value) => (Array.isArray(value) ? value : [value]))
    .filter(isNonEmptyString)
    .map((role) => role.trim())

  return [...new Set(roles)]
}

/**
 * The client id: the `ClientId` claim (any case), else `client_id`.
 *
 * @example
 * readClientId({ ClientId: '714df406-8802-479f-a96b-f4e362ebab70' })
 */
export function readClientId(claims: Claims): string | undefined {
  return firstStringClaim(claims, ['ClientId', 'client_id'])
}

/**
 * The client's name: the Microsoft name claim URI, else `name`.
 *
 * @example
 * readClientName({ [NAME_CLAIM]: 'Piedmont Healthcare' }) // 'Piedmont Healthcare'
 */
export function readClientName(claims: Claims): string | undefined {
  return firstStringClaim(claims, [NAME_CLAIM, 'name'])
}
