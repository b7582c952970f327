import type { LoyalAuth } from '@loyal-auth/core'
import type { RedirectHook } from './attachment.js'
import { bearerOf, deleteAuthorization, type HeaderBag, setAuthorization } from './headers.js'
import { isApiAbsoluteUrl } from './request-target.js'

/**
 * A `beforeRedirect` hook for API requests (Node's http adapter, follow-redirects): the bearer
 * follows a redirect only when it stays on the API origin, whatever the axios and
 * follow-redirects versions in use do on their own (follow-redirects alone keeps it on a
 * subdomain and across a switch to https). The caller's own hook runs after ours, so it sees the
 * headers we settled.
 *
 * One hook serves every request of an attachment, so it cannot know which token a request
 * started with: a hop back onto the API carries the token cached now (the same one, unless it
 * was renewed meanwhile), and none when no usable token is cached, which the API answers with a
 * 401 and the adapter with its one retry.
 */
export function redirectGuard(auth: LoyalAuth, original: unknown): RedirectHook {
  const callersHook = typeof original === 'function' ? original : undefined

  function loyalBeforeRedirect(options: Record<string, unknown>, ...rest: unknown[]): void {
    const headers = options.headers as HeaderBag | undefined
    const target = typeof options.href === 'string' ? options.href : undefined

    if (headers) {
      deleteAuthorization(headers)

      const token = isApiAbsoluteUrl(auth, target) ? auth.peekToken() : undefined

      if (token) setAuthorization(headers, bearerOf(token))
    }

    if (callersHook) Reflect.apply(callersHook, undefined, [options, ...rest])
  }

  return loyalBeforeRedirect as RedirectHook
}
