import { type LoyalAuth, type LoyalError, redactSecrets } from '@loyal-auth/core'

/** The JSON body `loyalErrorHandler()` answers with. */
export interface LoyalErrorBody {
  error: LoyalError['code']
  message: string
  /** The scopes a guard asked for, on `insufficient_scope`. */
  required?: string[]
}

// The auth of requests that failed before `ctx.state.loyal` was set, so their errors can be
// redacted with the right secrets. Only failures land here; the hot path never touches it.
const authOfFailedRequest = new WeakMap<object, LoyalAuth>()

export function rememberFailedAuth(request: object, auth: LoyalAuth | undefined): void {
  if (auth !== undefined) authOfFailedRequest.set(request, auth)
}

export function failedAuthOf(request: object): LoyalAuth | undefined {
  return authOfFailedRequest.get(request)
}

/** `{ error, message, required? }`, the message passed through core's redaction. */
export function loyalErrorBody(error: LoyalError, auth: LoyalAuth | undefined): LoyalErrorBody {
  const message = auth === undefined ? redactSecrets(error.message) : auth.redact(error.message)
  const body: LoyalErrorBody = { error: error.code, message }

  if (error.required !== undefined) body.required = [...error.required]

  return body
}

/** `Retry-After` in whole seconds, when the error carries a wait. */
export function retryAfterSeconds(error: LoyalError): string | undefined {
  return error.retryAfter === undefined ? undefined : String(Math.ceil(error.retryAfter / 1000))
}
