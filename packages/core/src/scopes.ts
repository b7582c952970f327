import type { Claims } from './claim-lookup.js'
import { readRawScopes } from './scope-claims.js'
import { expandAction, parseScopeRule, type ScopeRule, WILDCARD } from './scope-notation.js'

/** How several required scopes combine: every one of them, or at least one. */
export type ScopeMode = 'all' | 'any'

/**
 * What a token's scopes allow, read tolerantly from its claims (see {@link parseScopes}).
 *
 * Each grant stands for itself: `rules:write` does not imply `rules:read`. The Loyal docs
 * describe grants as "read-only" or "read/write", so a token allowed both says so
 * (`rules:readwrite`, `Rules.ReadWrite`, `rules:rw`, or both scopes). Guessing an implication
 * the API may not share would let a guard wave through calls that then fail upstream; the
 * only implied grants are the explicit wildcards `*`, `users:*`, `*:read` and `read:*`.
 *
 * Every check answers `undefined` when the token carries no scope claim at all: the API
 * then decides.
 */
export class ScopeGrants {
  /** False when the token carries no scope claim at all. */
  readonly known: boolean
  /** The scope strings as found in the token, without duplicates. */
  readonly raw: readonly string[]
  readonly #rawLower: ReadonlySet<string>
  readonly #rules: readonly ScopeRule[]

  constructor(raw: readonly string[], known: boolean) {
    this.known = known
    this.raw = Object.freeze([...raw])
    this.#rawLower = new Set(raw.map((scope) => scope.toLowerCase()))
    this.#rules = raw.flatMap((scope) => parseScopeRule(scope) ?? [])
  }

  /**
   * Whether one scope, in any notation, is granted; `undefined` when unknown.
   *
   * @example
   * parseScopes({ scope: 'users:read' }).has('Users.Read') // true
   */
  has(scope: string): boolean | undefined {
    if (!this.known) return undefined

    return this.#satisfies(scope)
  }

  /**
   * Whether `action` (`read`, `write`, `readwrite`...) on `resource` is granted.
   *
   * @example
   * parseScopes({ scp: ['rules:rw'] }).can('write', 'rules') // true
   */
  can(action: string, resource: string): boolean | undefined {
    if (!this.known) return undefined

    return this.#allows({ resource: resource.trim().toLowerCase(), actions: expandAction(action) })
  }

  /**
   * The required scopes that are not granted: with `mode: 'all'` each one missing, with
   * `'any'` none when at least one is granted, else all of them. `undefined` when unknown.
   * Blank entries in `required` are ignored.
   *
   * @example
   * parseScopes({ scope: 'users:read' }).missing(['users:read', 'rules:write']) // ['rules:write']
   */
  missing(required: readonly string[], mode: ScopeMode = 'all'): string[] | undefined {
    if (!this.known) return undefined

    const wanted = required.filter((scope) => scope.trim() !== '')
    const missing = wanted.filter((scope) => !this.#satisfies(scope))
    const anyGranted = missing.length < wanted.length

    return mode === 'any' && anyGranted ? [] : missing
  }

  #satisfies(scope: string): boolean {
    if (this.#rawLower.has(scope.trim().toLowerCase())) return true

    const rule = parseScopeRule(scope)

    return rule !== undefined && this.#allows(rule)
  }

  #allows(wanted: ScopeRule): boolean {
    return wanted.actions.every((action) =>
      this.#rules.some((granted) => covers(granted, wanted.resource, action))
    )
  }
}

function covers(granted: ScopeRule, resource: string, action: string): boolean {
  const resourceMatches = granted.resource === WILDCARD || granted.resource === resource
  const actionMatches = granted.actions.includes(WILDCARD) || granted.actions.includes(action)

  return resourceMatches && actionMatches
}

/**
 * Reads the scopes of decoded JWT claims from `scope`, `scp`, `scopes`, `permissions` and the
 * Microsoft scope URI, in any case; see {@link readRawScopes} for the shapes and
 * {@link parseScopeRule} for the notations. Never throws.
 *
 * @example
 * const grants = parseScopes({ scopes: ['users:read', 'rules:readwrite'] })
 * grants.can('read', 'rules') // true
 * grants.has('read:users') // true
 * parseScopes({}).has('users:read') // undefined: the token says nothing about scopes
 */
export function parseScopes(claims: Claims): ScopeGrants {
  const { known, raw } = readRawScopes(claims)

  return new ScopeGrants(raw, known)
}
