import {
  isLoyalError,
  type LoyalAuth,
  type LoyalError,
  type LoyalErrorCode,
  redactSecrets,
} from '@loyal-auth/core'
import { GraphQLError, type GraphQLErrorExtensions, type GraphQLErrorOptions } from 'graphql'
import { transportFailureReason } from './transport-failure.js'
import { unreadableAnswerReason } from './unreadable-answer.js'

/**
 * `extensions.code` of every error a `LoyalDataSource` throws. The code is API; the message
 * is not.
 *
 * | code | when |
 * | --- | --- |
 * | `UNAUTHENTICATED` | the API answered 401 again after one refresh and replay |
 * | `FORBIDDEN` | a 403, or `requireScopes` found a scope missing (`extensions.required`) |
 * | `BAD_REQUEST` | the API answered 400 or 422 |
 * | `NOT_FOUND` | the API answered 404 |
 * | `UPSTREAM_ERROR` | any other failed status (5xx, 530, 429...), an answer that could not be |
 * | | read (with its `status`), or an API that could not be reached (no `status`) |
 * | `LOYAL_INVALID_API_KEY` ... | no token could be had: `LOYAL_` + the `LoyalError` code |
 * | `INTERNAL_SERVER_ERROR` | `toGraphQLError` of any other error, as Apollo Server codes it |
 */
export type LoyalGraphQLErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN'
  | 'BAD_REQUEST'
  | 'NOT_FOUND'
  | 'UPSTREAM_ERROR'
  | 'LOYAL_INVALID_API_KEY'
  | 'LOYAL_TOKEN_ENDPOINT_UNAVAILABLE'
  | 'LOYAL_TIMEOUT'
  | 'LOYAL_MALFORMED_TOKEN'
  | 'LOYAL_CONFIG'
  | 'LOYAL_STORE'
  | 'INTERNAL_SERVER_ERROR'

/** What the errors carry in `extensions`. Never a header, a token or an API key. */
export interface LoyalGraphQLErrorExtensions extends GraphQLErrorExtensions {
  code: LoyalGraphQLErrorCode
  /** HTTP status the Loyal API answered, when it answered. */
  status?: number
  method?: string
  /** Path of the failed call, without its query string. */
  path?: string
  /** Scopes that were asked for, on `FORBIDDEN` when known. */
  required?: string[]
  /** Milliseconds the API asked us to wait. */
  retryAfter?: number
}

const codeByLoyalCode: Record<LoyalErrorCode, LoyalGraphQLErrorCode> = {
  insufficient_scope: 'FORBIDDEN',
  unauthorized: 'UNAUTHENTICATED',
  // An unreachable API, as for a network failure of the data source's own fetch.
  api_unavailable: 'UPSTREAM_ERROR',
  invalid_api_key: 'LOYAL_INVALID_API_KEY',
  token_endpoint_unavailable: 'LOYAL_TOKEN_ENDPOINT_UNAVAILABLE',
  timeout: 'LOYAL_TIMEOUT',
  malformed_token: 'LOYAL_MALFORMED_TOKEN',
  config: 'LOYAL_CONFIG',
  store: 'LOYAL_STORE',
}

const MAX_UPSTREAM_MESSAGE = 300

/** Where a failed call went; used to say so in the error. */
export interface CallSite {
  method?: string | undefined
  path?: string | undefined
  /** Redacts what this credential's secrets would look like in upstream text. */
  auth?: LoyalAuth
}

/** A failed answer of the Loyal API, as RESTDataSource hands it to `errorFromResponse`. */
export interface UpstreamFailure extends CallSite {
  method: string
  path: string
  status: number
  /** The parsed body: JSON or text. */
  body: unknown
  retryAfter?: number
}

/** A call whose answer arrived but could not be read. */
export interface UnreadableAnswer extends CallSite {
  method: string
  path: string
  status: number
}

/**
 * Turns anything a Loyal call threw into a `GraphQLError` with a stable `extensions.code`.
 * A `GraphQLError` passes through; a `LoyalError` keeps its context; a fetch failure (fetch's
 * `TypeError` with a network cause, node-fetch's system errors, an abort or timeout) is an
 * unreachable API, `UPSTREAM_ERROR`. Anything else is no failure of the API:
 * `INTERNAL_SERVER_ERROR` with its message, as Apollo Server reports any error it knows nothing
 * of. The original error stays on `originalError` for your `formatError`, and nothing of a
 * request or response (headers included) is attached.
 *
 * @example
 * try { await auth.describe() } catch (error) { throw toGraphQLError(error) }
 */
export function toGraphQLError(error: unknown, site?: CallSite): GraphQLError {
  if (error instanceof GraphQLError) return error
  if (isLoyalError(error)) return fromLoyalError(error, site)

  const reason = transportFailureReason(error)

  return reason === undefined ? internalError(error, site) : unreachable(error, reason, site)
}

/** The `GraphQLError` for a request that did not get through to the Loyal API. */
export function fromTransportFailure(error: unknown, site: CallSite): GraphQLError | undefined {
  const reason = transportFailureReason(error)

  return reason === undefined ? undefined : unreachable(error, reason, site)
}

function unreachable(error: unknown, reason: string, site: CallSite | undefined): GraphQLError {
  const where = site?.path === undefined ? '' : ` for ${site.method ?? 'GET'} ${site.path}`

  return overCause(`The Loyal API could not be reached${where}: ${reason}`, site, {
    originalError: error instanceof Error ? error : undefined,
    extensions: compact({ code: 'UPSTREAM_ERROR', method: site?.method, path: site?.path }),
  })
}

/** The `GraphQLError` for an answer of the Loyal API whose body could not be read. */
export function fromUnreadableAnswer(error: unknown, answer: UnreadableAnswer): GraphQLError {
  const { method, path, status } = answer
  const message = `The Loyal API's answer to ${method} ${path} could not be read`

  return overCause(`${message}: ${unreadableAnswerReason(error)}`, answer, {
    originalError: error instanceof Error ? error : undefined,
    extensions: compact({ code: 'UPSTREAM_ERROR', status, method, path }),
  })
}

/** What Apollo Server makes of an error it knows nothing of, with secrets redacted. */
export function internalError(error: unknown, site?: CallSite): GraphQLError {
  return withCause(error instanceof Error ? error.message : String(error), site, {
    originalError: error instanceof Error ? error : undefined,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  })
}

function fromLoyalError(error: LoyalError, site: CallSite | undefined): GraphQLError {
  const extensions = compact({
    code: codeByLoyalCode[error.code] ?? 'UPSTREAM_ERROR',
    status: error.upstreamStatus,
    method: error.method ?? site?.method,
    path: error.path ?? site?.path,
    required: error.required === undefined ? undefined : [...error.required],
    retryAfter: error.retryAfter,
  })

  return withCause(error.message, site, { originalError: error, extensions })
}

// GraphQLError takes over the original error's stack, message line included, and Apollo
// shows stacks in development: both are redacted like the message.
function withCause(message: string, site: CallSite | undefined, options: GraphQLErrorOptions) {
  const error = new GraphQLError(redact(message, site), options)

  if (error.stack !== undefined) error.stack = redact(error.stack, site)

  return error
}

// The original's message heads its stack, and may quote what must stay out (node-fetch's the
// URL with its query, V8's JSON errors the body): the frames are kept under our message.
function overCause(message: string, site: CallSite | undefined, options: GraphQLErrorOptions) {
  const error = new GraphQLError(redact(message, site), options)
  const frames = framesOf(options.originalError?.stack)

  error.stack = redact(`${error.name}: ${error.message}${frames}`, site)

  return error
}

function framesOf(stack: string | undefined): string {
  const start = stack?.indexOf('\n    at ') ?? -1

  return stack === undefined || start < 0 ? '' : stack.slice(start)
}

/** The `GraphQLError` for a failed status of the Loyal API. */
export function fromUpstreamFailure(failure: UpstreamFailure): GraphQLError {
  const { status, method, path } = failure
  const detail = upstreamMessage(failure.body, failure)
  const suffix = detail === undefined ? '' : `: ${detail}`

  return new GraphQLError(`The Loyal API answered ${status} to ${method} ${path}${suffix}`, {
    extensions: compact({
      code: codeForStatus(status),
      status,
      method,
      path,
      retryAfter: failure.retryAfter,
    }),
  })
}

function codeForStatus(status: number): LoyalGraphQLErrorCode {
  if (status === 401) return 'UNAUTHENTICATED'
  if (status === 403) return 'FORBIDDEN'
  if (status === 400 || status === 422) return 'BAD_REQUEST'
  if (status === 404) return 'NOT_FOUND'

  return 'UPSTREAM_ERROR'
}

// The API is .NET: `message`, `Message`, or a ProblemDetails `detail`/`title`. Redacted
// before it is shortened: a cut-off token no longer looks like one.
function upstreamMessage(body: unknown, site: CallSite): string | undefined {
  const text = typeof body === 'string' ? body : messageField(body)

  return text === undefined ? undefined : shorten(redact(text, site))
}

function messageField(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined

  const fields = body as Record<string, unknown>

  return [fields.message, fields.Message, fields.detail, fields.title].find(isText)
}

function isText(value: unknown): value is string {
  return typeof value === 'string' && value.trim() !== ''
}

function shorten(text: string): string | undefined {
  const trimmed = text.trim()

  if (trimmed === '') return undefined
  if (trimmed.length <= MAX_UPSTREAM_MESSAGE) return trimmed

  return `${trimmed.slice(0, MAX_UPSTREAM_MESSAGE)}…`
}

// Upstream text can echo the request; core knows what this credential's secrets look like.
function redact(text: string, site: CallSite | undefined): string {
  return site?.auth === undefined ? redactSecrets(text) : site.auth.redact(text)
}

function compact(extensions: LoyalGraphQLErrorExtensions): LoyalGraphQLErrorExtensions {
  const entries = Object.entries(extensions).filter(([, value]) => value !== undefined)

  return Object.fromEntries(entries) as LoyalGraphQLErrorExtensions
}
