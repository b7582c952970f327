import { checkedScopes, checkScopes, LoyalError, type ScopeMode } from '@loyal-auth/core'
import type { Middleware, Next } from 'koa'
import type { KoaContext } from './loyal.js'

/** The 403 body of a refused request. */
export interface InsufficientScopeBody {
  error: 'insufficient_scope'
  /** The scopes the route asks for. */
  required: string[]
  /** Present for `requireScopes.any()`: one of `required` would have been enough. */
  mode?: 'any'
}

export interface RequireScopes {
  /**
   * Lets a request through when the token holds **every** one of `scopes`.
   *
   * @example
   * router.post('/rules', requireScopes('rules:write'), createRule)
   */
  (...scopes: string[]): Middleware
  /**
   * Lets a request through when the token holds **at least one** of `scopes`.
   *
   * @example
   * router.get('/report', requireScopes.any('empower:read', 'reports:read'), report)
   */
  any(...scopes: string[]): Middleware
}

/**
 * A guard after `loyal()`: answers `403 { "error": "insufficient_scope", "required": [...] }`
 * before any call to the Loyal API when the server's token lacks the scopes. A token that
 * carries no scope information is let through: the API decides. Scopes may use any notation
 * core understands (`rules:write`, `write:rules`, `Rules.Write`); pass each as its own argument.
 *
 * @throws LoyalError `config` at setup for no scopes, an empty one, or one holding a space.
 */
export const requireScopes: RequireScopes = Object.assign(
  (...scopes: string[]) => scopeGuard(checkedScopes('requireScopes', scopes), 'all'),
  { any: (...scopes: string[]) => scopeGuard(checkedScopes('requireScopes.any', scopes), 'any') }
)

function scopeGuard(required: string[], mode: ScopeMode): Middleware {
  const denial: InsufficientScopeBody = { error: 'insufficient_scope', required }

  if (mode === 'any') denial.mode = 'any'

  return function requireScopesMiddleware(ctx: KoaContext, next: Next): unknown {
    const token = ctx.state.loyal?.token

    if (token === undefined) {
      throw new LoyalError('config', 'requireScopes() needs loyal() earlier in the chain')
    }

    if (checkScopes(token, required, mode).status === 'denied') {
      ctx.status = 403
      ctx.body = denial

      return undefined
    }

    return next()
  }
}
