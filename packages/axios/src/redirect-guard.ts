import type { AxiosRequestConfig } from 'axios'
import { type Attachment, markWrapper, type SentToken } from './attachment.js'
import { bearerOf, deleteAuthorization, type HeaderBag, setAuthorization } from './headers.js'
import { isApiAbsoluteUrl } from './request-target.js'

type RedirectHook = NonNullable<AxiosRequestConfig['beforeRedirect']>

/**
 * A `beforeRedirect` hook for an API request (Node's http adapter, follow-redirects): the bearer
 * follows a redirect only when it stays on the API origin, whatever the axios and
 * follow-redirects versions in use do on their own (follow-redirects alone keeps it on a
 * subdomain and across a switch to https). The caller's own hook runs after ours, so it sees the
 * headers we settled.
 */
export function redirectGuard(
  attachment: Attachment,
  original: RedirectHook | undefined,
  sent: SentToken
): RedirectHook {
  function loyalBeforeRedirect(options: Record<string, unknown>, ...rest: unknown[]): void {
    const headers = options.headers as HeaderBag | undefined
    const target = typeof options.href === 'string' ? options.href : undefined

    if (headers) {
      deleteAuthorization(headers)

      if (sent.token && isApiAbsoluteUrl(attachment.auth, target)) {
        setAuthorization(headers, bearerOf(sent.token))
      }
    }

    if (original) Reflect.apply(original, undefined, [options, ...rest])
  }

  return markWrapper(loyalBeforeRedirect as RedirectHook, original)
}
