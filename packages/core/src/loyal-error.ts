/** Every failure the SDK reports carries one of these codes; the code is API, the message is not. */
export type LoyalErrorCode =
  | 'invalid_api_key'
  | 'token_endpoint_unavailable'
  | 'api_unavailable'
  | 'timeout'
  | 'malformed_token'
  | 'insufficient_scope'
  | 'unauthorized'
  | 'config'
  | 'store'

/** What a server built on the SDK should answer when it cannot serve a request because of us. */
const httpStatusByCode: Record<LoyalErrorCode, number> = {
  invalid_api_key: 502,
  token_endpoint_unavailable: 502,
  api_unavailable: 502,
  timeout: 504,
  malformed_token: 502,
  insufficient_scope: 403,
  unauthorized: 502,
  config: 500,
  store: 500,
}

export interface LoyalErrorOptions {
  cause?: unknown
  /** HTTP status of the Loyal API response that led to the error, when there was one. */
  upstreamStatus?: number
  /** Method and path (never a query string with secrets, never a token) of the failed call. */
  method?: string
  path?: string
  /** Scopes a guard asked for, for `insufficient_scope`. */
  required?: readonly string[]
  /** Milliseconds the server asked us to wait (`Retry-After`). */
  retryAfter?: number
}

// A global symbol, so the brand survives two copies of the package (CJS and ESM, or two
// versions in one tree), where `instanceof` does not.
const brand = Symbol.for('loyal-auth.error')

/**
 * The one error type thrown by loyal-auth. Never holds the API key or a token.
 *
 * @example
 * try { await auth.getToken() } catch (error) {
 *   if (isLoyalError(error) && error.code === 'invalid_api_key') rotateKey()
 * }
 */
export class LoyalError extends Error {
  override readonly name = 'LoyalError'
  readonly code: LoyalErrorCode
  /** The HTTP status a server should answer with; see the table in the README. */
  readonly httpStatus: number
  /** Status of the Loyal API response that led to the error, when there was one. */
  readonly upstreamStatus: number | undefined
  readonly method: string | undefined
  readonly path: string | undefined
  readonly required: readonly string[] | undefined
  readonly retryAfter: number | undefined

  constructor(code: LoyalErrorCode, message: string, options: LoyalErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.httpStatus = httpStatusByCode[code]
    this.upstreamStatus = options.upstreamStatus
    this.method = options.method
    this.path = options.path
    this.required = options.required
    this.retryAfter = options.retryAfter
    Object.defineProperty(this, brand, { value: true })
  }

  /**
   * The same as `httpStatus`. Express's and Koa's default error handlers answer with
   * `err.status`, so an upstream 401 must not sit here: the caller was not unauthorised, we were.
   */
  get status(): number {
    return this.httpStatus
  }

  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      message: this.message,
      httpStatus: this.httpStatus,
      upstreamStatus: this.upstreamStatus,
      method: this.method,
      path: this.path,
      required: this.required,
      retryAfter: this.retryAfter,
    }
  }
}

/** True for any loyal-auth error, also one thrown by another copy of the package. */
export function isLoyalError(value: unknown): value is LoyalError {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as Record<symbol, unknown>)[brand] === true
  )
}

/** The HTTP status a server should answer with for a loyal-auth error code. */
export function httpStatusFor(code: LoyalErrorCode): number {
  return httpStatusByCode[code]
}
