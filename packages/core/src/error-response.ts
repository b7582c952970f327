import type { LoyalError } from './loyal-error.js'
import { redactSecrets } from './redact.js'

/** The JSON body a server answers a `LoyalError` with. */
export interface LoyalErrorBody {
  error: LoyalError['code']
  message: string
  /** The scopes a guard asked for, on `insufficient_scope`. */
  required?: string[]
}

/** Status, headers and body for answering a `LoyalError`; adapters only write them out. */
export interface LoyalErrorResponse {
  /** `error.httpStatus`, from the code table. */
  status: number
  /** `Retry-After` when the error carries a wait; never `WWW-Authenticate`. */
  headers: Record<string, string>
  body: LoyalErrorBody
}

/**
 * How a server built on loyal-auth answers a `LoyalError`: the code's status, and
 * `{ error, message, required? }` with the message passed through `redact` (by default core's
 * generic redaction; pass `auth.redact` to also hide that credential's key and tokens). No
 * `WWW-Authenticate`: the credentials that failed are the server's, not its caller's.
 *
 * @example
 * const { status, headers, body } = loyalErrorResponse(error, (text) => auth.redact(text))
 */
export function loyalErrorResponse(
  error: LoyalError,
  redact: (text: string) => string = redactSecrets
): LoyalErrorResponse {
  const body: LoyalErrorBody = { error: error.code, message: redact(error.message) }
  const headers: Record<string, string> = {}

  if (error.required !== undefined) body.required = [...error.required]

  if (error.retryAfter !== undefined) {
    headers['Retry-After'] = String(Math.ceil(error.retryAfter / 1000))
  }

  return { status: error.httpStatus, headers, body }
}
