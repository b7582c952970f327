import type { LoyalAuth } from '@loyal-auth/core'

// The auth of requests that failed before the context was set, so their errors can be
// redacted with the right secrets. Only failures land here; the hot path never touches it.
const authOfFailedRequest = new WeakMap<object, LoyalAuth>()

export function rememberFailedAuth(request: object, auth: LoyalAuth | undefined): void {
  if (auth !== undefined) authOfFailedRequest.set(request, auth)
}

export function failedAuthOf(request: object): LoyalAuth | undefined {
  return authOfFailedRequest.get(request)
}
