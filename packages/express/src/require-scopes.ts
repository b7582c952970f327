import { checkedScopes, checkScopes, LoyalError, type ScopeMode } from '@loyal-auth/core'
import type { NextFunction, Request, RequestHandler, Response } from 'express'

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
   * app.post('/rules', requireScopes('rules:write'), createRule)
   */
  (...scopes: string[]): RequestHandler
  /**
   * Lets a request through when the token holds **at least one** of `scopes`.
   *
   * @example
   * app.get('/report', requireScopes.any('empower:read', 'reports:read'), report)
   */
  any(...scopes: string[]): RequestHandler
}

/**
 * A guard after `loyal()`: refuses with `403 { "error": "insufficient_scope", "required": [...] }`
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

function scopeGuard(required: string[], mode: ScopeMode): RequestHandler {
  const denial: InsufficientScopeBody = { error: 'insufficient_scope', required }

  if (mode === 'any') denial.mode = 'any'

  return function requireScopesMiddleware(req: Request, res: Response, next: NextFunction): void {
    const token = req.loyal?.token

    if (token === undefined) {
      next(new LoyalError('config', 'requireScopes() needs loyal() earlier in the chain'))

      return
    }

    if (checkScopes(token, required, mode).status === 'denied') {
      res.status(403).json(denial)

      return
    }

    next()
  }
}
