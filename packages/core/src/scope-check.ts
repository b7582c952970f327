import { LoyalError } from './loyal-error.js'
import type { ScopeMode } from './scopes.js'

/** Anything that can tell which required scopes it lacks, such as a {@link LoyalToken}. */
export interface ScopeHolder {
  missingScopes(required: readonly string[], mode?: ScopeMode): string[] | undefined
}

/** The answer of {@link checkScopes}. */
export type ScopeCheck =
  | { status: 'granted' }
  | { status: 'unknown' }
  | { status: 'denied'; missing: string[] }

/**
 * Checks a token's scopes before a call. `unknown` means the token carries no scope claim: let
 * the call through and leave the decision to the API. Required scopes may use any notation
 * (`users:read`, `read:users`, `Users.Read`).
 *
 * @param mode - `'all'` (default): every scope is needed; `'any'`: one is enough.
 *
 * @example
 * const check = checkScopes(token, ['rules:write'])
 * if (check.status === 'denied') return res.status(403).json({ missing: check.missing })
 */
export function checkScopes(
  token: ScopeHolder,
  required: readonly string[],
  mode: ScopeMode = 'all'
): ScopeCheck {
  const missing = token.missingScopes(required, mode)

  if (missing === undefined) return { status: 'unknown' }
  if (missing.length === 0) return { status: 'granted' }

  return { status: 'denied', missing }
}

/**
 * Throws `LoyalError('insufficient_scope')` (HTTP 403, `required` set) when the token's scopes
 * are known and lack what `required` asks for; returns quietly when granted or unknown.
 *
 * @example
 * assertScopes(await auth.getToken(), ['users:read'])
 */
export function assertScopes(
  token: ScopeHolder,
  required: readonly string[],
  mode: ScopeMode = 'all'
): void {
  const check = checkScopes(token, required, mode)

  if (check.status !== 'denied') return

  const joiner = mode === 'any' ? ' or ' : ', '

  throw new LoyalError(
    'insufficient_scope',
    `The token lacks the scope ${check.missing.map(quote).join(joiner)}`,
    { required: Object.freeze([...required]) }
  )
}

function quote(scope: string): string {
  return `"${scope}"`
}
