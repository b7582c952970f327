import { LoyalError } from './loyal-error.js'
import { isLoyalAuth } from './request-context.js'

/** What a setup mistake throws, when the app is wired up rather than at the first request. */
export function configError(message: string, cause?: unknown): LoyalError {
  return new LoyalError('config', message, cause === undefined ? {} : { cause })
}

/**
 * Checks that an adapter factory got an options object whose `auth` can give a `LoyalAuth`.
 * `source` names what a tenant function receives in that framework (request, context).
 */
export function checkAuthOption(factory: string, options: unknown, source = 'request'): void {
  if (typeof options !== 'object' || options === null) {
    throw configError(`${factory}() needs an options object, such as ${factory}({ auth })`)
  }

  const { auth } = options as { auth?: unknown }

  if (typeof auth !== 'function' && !isLoyalAuth(auth)) {
    throw configError(
      `${factory}(): "auth" must be a LoyalAuth or a function of the ${source} returning one`
    )
  }
}

/**
 * Runs core's checks of shared options (`allow`, `forwardHeaders`, ...): their `TypeError`s
 * become `config` errors that name the factory. Their messages quote only option names and
 * the caller's allow-list entries, never a key or token.
 */
export function withConfigErrors<T>(factory: string, build: () => T): T {
  try {
    return build()
  } catch (error) {
    if (error instanceof TypeError) throw configError(`${factory}(): ${error.message}`, error)

    throw error
  }
}

/**
 * The scopes a guard asks for, trimmed. A space inside one argument would be one scope no token
 * holds (always refused), so it is refused at setup, as is an empty list.
 */
export function checkedScopes(guard: string, scopes: readonly unknown[]): string[] {
  if (scopes.length === 0) {
    throw configError(`${guard}() needs one or more scopes, such as ${guard}('rules:write')`)
  }

  return scopes.map((scope) => {
    const trimmed = typeof scope === 'string' ? scope.trim() : ''

    if (trimmed === '') throw configError(`${guard}() needs non-empty scope strings`)

    if (/\s/.test(trimmed)) {
      throw configError(
        `${guard}(): ${JSON.stringify(trimmed)} holds a space; pass scopes as separate ` +
          `arguments, such as ${guard}('empower:read', 'users:read')`
      )
    }

    return trimmed
  })
}
