/** Decoded JWT claims, as untrusted data. */
export type Claims = Readonly<Record<string, unknown>>

/**
 * Values of the first claims named in `names`, matched without regard to case: the Loyal API
 * is written in .NET, whose serialisers may write `Scope` or `ClientId` as well as `scope`.
 * A claim whose value is `null` or `undefined` counts as absent (.NET writes unset
 * properties as `null`).
 *
 * @example
 * claimValues({ Scope: 'users:read' }, ['scope', 'scp']) // ['users:read']
 */
export function claimValues(claims: Claims, names: readonly string[]): unknown[] {
  const wanted = new Set(names.map((name) => name.toLowerCase()))
  const values: unknown[] = []

  for (const [key, value] of Object.entries(claims)) {
    if (value !== null && value !== undefined && wanted.has(key.toLowerCase())) values.push(value)
  }

  return values
}

/**
 * The first non-empty string among the claims named in `names`, in the order of `names`.
 *
 * @example
 * firstStringClaim({ ClientId: 'abc' }, ['ClientId', 'client_id']) // 'abc'
 */
export function firstStringClaim(claims: Claims, names: readonly string[]): string | undefined {
  for (const name of names) {
    const value = claimValues(claims, [name]).find(isNonEmptyString)

    if (value !== undefined) return value.trim()
  }

  return undefined
}

/** True for a string holding more than white space. */
export function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== ''
}
