import type { LoyalAuth } from '@loyal-auth/core'
import type { RedirectHook } from './attachment.js'
import { bearerOf, deleteAuthorization, type HeaderBag, setAuthorization } from './headers.js'
import { isApiAbsoluteUrl } from './request-target.js'

// follow-redirects hands every hop of one request the same options object: a mark on it
// outlives the hop. Global, so a second copy of this package reads the first one's mark.
const leftApi = Symbol.for('loyal-auth.axios.left-api')
const hopOrigin = Symbol.for('loyal-auth.axios.hop-origin')

type ChainOptions = Record<string, unknown> & { [leftApi]?: boolean; [hopOrigin]?: string }

/** What fetch drops on a hop to another origin, besides Authorization. */
const CREDENTIALS = new Set(['cookie', 'proxy-authorization'])

/**
 * Whether the redirects that led to `request` (Node's request of the last hop, as axios puts it
 * on a response) went through a host other than the API. follow-redirects links each request it
 * makes to its chain (`_redirectable`); without that link the answer is no.
 */
export function chainLeftApi(request: unknown): boolean {
  const chain = (request as { _redirectable?: { _options?: ChainOptions } } | undefined)
    ?._redirectable

  return chain?._options?.[leftApi] === true
}

/**
 * A `beforeRedirect` hook for API requests (Node's http adapter, follow-redirects): the bearer
 * follows a redirect only when it stays on the API origin, whatever the axios and
 * follow-redirects versions in use do on their own (follow-redirects alone keeps it on a
 * subdomain and across a switch to https). The caller's own hook runs after ours, so it sees the
 * headers we settled.
 *
 * One hook serves every request of an attachment, so it cannot know which token a request
 * started with: a further hop on the API carries the token cached now (the same one, unless it
 * was renewed meanwhile), and none when no usable token is cached, which the API answers with a
 * 401 and the adapter with its one retry.
 */
export function redirectGuard(auth: LoyalAuth, original: unknown): RedirectHook {
  const callersHook = typeof original === 'function' ? original : undefined

  function loyalBeforeRedirect(options: ChainOptions, ...rest: unknown[]): void {
    const headers = options.headers as HeaderBag | undefined
    const target = typeof options.href === 'string' ? options.href : undefined
    const onApi = options[leftApi] !== true && isApiAbsoluteUrl(auth, target)

    // Once a hop has left the API the chain never gets the bearer back, as fetch never re-adds
    // an Authorization it dropped: a host it passed through could send it to any API route.
    if (!onApi) options[leftApi] = true

    if (headers) {
      deleteAuthorization(headers)
      if (changesOrigin(options, target, auth)) dropCredentials(headers)

      const token = onApi ? auth.peekToken() : undefined

      if (token) setAuthorization(headers, bearerOf(token))
    }

    if (callersHook) Reflect.apply(callersHook, undefined, [options, ...rest])
  }

  return loyalBeforeRedirect as RedirectHook
}

// Whether this hop goes to another origin than the last one (the first: the API's). Older
// follow-redirects keep cookies on a subdomain; fetch drops them on any change of origin.
function changesOrigin(options: ChainOptions, target: string | undefined, auth: LoyalAuth) {
  let origin: string

  try {
    origin = new URL(target ?? '').origin
  } catch {
    return true
  }

  const previous = options[hopOrigin] ?? new URL(auth.baseUrl).origin
  options[hopOrigin] = origin

  return origin !== previous
}

function dropCredentials(headers: HeaderBag): void {
  for (const name of Object.keys(headers)) {
    if (CREDENTIALS.has(name.toLowerCase())) delete headers[name]
  }
}
