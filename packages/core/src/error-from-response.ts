import { LoyalError } from './loyal-error.js'

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

/** Scope names from `required`, `scope` or `scopes` of a 403 body; junk is ignored. */
function scopesFrom(value: unknown): string[] | undefined {
  if (typeof value === 'string') return value.split(/[\s,]+/).filter((scope) => scope !== '')
  if (Array.isArray(value))
    return value.filter((scope): scope is string => typeof scope === 'string')

  return undefined
}

/** RFC 6750: `WWW-Authenticate: Bearer error="insufficient_scope", scope="rules:write"`. */
function scopesFromChallenge(challenge: string | null): string[] | undefined {
  const match = challenge === null ? null : /\bscope="([^"]*)"/i.exec(challenge)

  return match?.[1] === undefined ? undefined : scopesFrom(match[1])
}

function requiredScopes(response: Response, body: unknown): string[] | undefined {
  if (isRecord(body)) {
    const fromBody = scopesFrom(body.required ?? body.scope ?? body.scopes)
    if (fromBody !== undefined && fromBody.length > 0) return fromBody
  }

  return scopesFromChallenge(response.headers.get('www-authenticate'))
}

/**
 * A typed error for an API response that is about authorization, else `undefined`:
 * 401 is `unauthorized`, 403 is `insufficient_scope`. The body is never copied into the error;
 * pass it parsed as `body` to read the scopes it names as `required` (the `WWW-Authenticate`
 * header is read either way).
 *
 * @param path - the request path; keep query strings out, they may hold secrets.
 * @example
 * const error = errorFromResponse(response, 'GET', '/users')
 * if (error) throw error
 */
export function errorFromResponse(
  response: Response,
  method: string,
  path: string,
  body?: unknown
): LoyalError | undefined {
  const context = { upstreamStatus: response.status, method: method.toUpperCase(), path }

  if (response.status === 401) {
    return new LoyalError('unauthorized', `${context.method} ${path} was refused with 401`, context)
  }

  if (response.status === 403) {
    const required = requiredScopes(response, body)
    const message = `${context.method} ${path} was refused with 403: a scope is missing`

    return new LoyalError('insufficient_scope', message, { ...context, required })
  }

  return undefined
}
