import { type Claims, claimValues, isNonEmptyString } from './claim-lookup.js'

/** Claims that may carry scopes, matched without regard to case. */
export const SCOPE_CLAIMS: readonly string[] = [
  'scope',
  'scp',
  'scopes',
  'permissions',
  'http://schemas.microsoft.com/identity/claims/scope',
]

/** The scope strings found in a token, and whether it carried a scope claim at all. */
export interface RawScopes {
  /** False when no scope claim of a readable shape (string, array, object) is present. */
  readonly known: boolean
  /** Every scope string, in token order, without duplicates. */
  readonly raw: readonly string[]
}

/**
 * Collects scope strings from every scope claim: space- or comma-separated strings, arrays
 * (anything but strings ignored) and object maps such as `{ users: { actions: ['read'] } }`,
 * `{ users: ['read'] }` or `{ users: 'read write' }`, whose entries become `users:read`.
 * Never throws: values of other shapes are ignored, and a claim of such a shape alone leaves
 * the scopes unknown.
 *
 * @example
 * readRawScopes({ scp: 'users:read, rules:write' }) // { known: true, raw: ['users:read', 'rules:write'] }
 * readRawScopes({}) // { known: false, raw: [] }
 */
export function readRawScopes(claims: Claims): RawScopes {
  const values = claimValues(claims, SCOPE_CLAIMS).filter(isReadableShape)
  const raw = values.flatMap(scopesFromValue)

  return { known: values.length > 0, raw: [...new Set(raw)] }
}

function isReadableShape(value: unknown): boolean {
  return typeof value === 'string' || typeof value === 'object'
}

function scopesFromValue(value: unknown): string[] {
  if (typeof value === 'string') return splitWords(value)
  if (Array.isArray(value)) return value.flatMap(scopesFromListItem)
  if (isRecord(value)) return scopesFromMap(value)

  return []
}

function scopesFromListItem(item: unknown): string[] {
  return typeof item === 'string' ? splitWords(item) : []
}

function scopesFromMap(map: Record<string, unknown>): string[] {
  return Object.entries(map).flatMap(([resource, grant]) =>
    actionsOf(grant).map((action) => `${resource.trim()}:${action}`)
  )
}

// `{ actions: [...] }`, `[...]`, `'read write'` or `{ read: true, write: false }`.
function actionsOf(grant: unknown): string[] {
  if (isRecord(grant) && 'actions' in grant) return actionsOf(grant.actions)
  if (isRecord(grant)) return Object.keys(grant).filter((action) => grant[action] === true)

  return scopesFromValue(grant)
}

/** Splits on white space and commas, dropping empty pieces. */
export function splitWords(text: string): string[] {
  return text.split(/[\s,]+/).filter(isNonEmptyString)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
