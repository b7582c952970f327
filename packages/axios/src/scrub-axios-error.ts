import { type LoyalAuth, REDACTED } from '@loyal-auth/core'
import axios, { type AxiosError } from 'axios'
import {
  deleteAuthorization,
  getAuthorization,
  type HeaderBag,
  setAuthorization,
} from './headers.js'
import { describeRequest, type RequestTarget } from './request-target.js'
import { forgetSentBearer } from './sent-headers.js'

/**
 * What `error.request` becomes: the Node request objects axios puts there hold the raw header
 * block (`_header`) and the redirect options, bearer included, and `util.inspect` prints them.
 */
export interface ScrubbedRequest {
  readonly method: string
  readonly origin: string | undefined
  readonly path: string | undefined
}

/**
 * Removes our secrets from an axios error of an API request in place and returns it: the
 * `Authorization` value in `config` and `response.config` becomes `[redacted]`, `request` and
 * `response.request` become a {@link ScrubbedRequest}, and `message`, `stack` and the response
 * data (an API error page may echo the request, bearer included) go through `auth.redact`.
 * Everything else (code, status, response headers) is left as axios made it.
 */
export function scrubAxiosError<T extends AxiosError>(error: T, auth: LoyalAuth): T {
  const { config, response, cause } = error

  redactAuthorization(config?.headers as HeaderBag | undefined)
  redactAuthorization(response?.config?.headers as HeaderBag | undefined)
  forgetSentBearer(error.request)
  forgetSentBearer(response?.request)
  scrubRequests(error)

  if (response !== undefined) response.data = redactData(response.data, auth)

  error.message = auth.redact(error.message)
  if (typeof error.stack === 'string') error.stack = auth.redact(error.stack)

  // Some axios versions (fetch adapter) wrap the first error, fetch Request included.
  if (axios.isAxiosError(cause) && cause !== error) scrubAxiosError(cause, auth)

  return error
}

/**
 * Replaces `request` and `response.request` of any axios error with a {@link ScrubbedRequest}.
 * Needed for requests to other hosts too: Node's request object leads, through its socket and
 * the shared agent, to earlier requests to the API, whose raw header block holds our bearer.
 */
export function scrubRequests(error: AxiosError): void {
  const { config, response } = error
  const summary = config ? summarize(config) : Object.freeze({})

  if (error.request !== undefined) error.request = summary
  if (response?.request !== undefined) response.request = summary

  dropAgents(config)
  dropAgents(response?.config)
}

/**
 * An agent set in the config (a keep-alive one, say) leads through its sockets to the raw
 * header block of whichever API request is in flight or was last sent on them.
 */
function dropAgents(config: AxiosError['config']): void {
  if (config === undefined) return

  if (config.httpAgent !== undefined) config.httpAgent = undefined
  if (config.httpsAgent !== undefined) config.httpsAgent = undefined
}

/**
 * Response data with our secrets redacted, in the shape axios gave it. Text is redacted as is;
 * a parsed JSON body is copied through JSON only when it holds a secret, so the usual error
 * body costs one `JSON.stringify`. Buffers, streams and class instances are left alone.
 */
function redactData(data: unknown, auth: LoyalAuth): unknown {
  if (typeof data === 'string') return auth.redact(data)
  if (!isPlainJson(data)) return data

  let json: string | undefined

  try {
    json = JSON.stringify(data)
  } catch {
    return data
  }

  if (json === undefined) return data

  const redacted = auth.redact(json)

  if (redacted === json) return data

  try {
    return JSON.parse(redacted)
  } catch {
    // A redaction that broke the JSON: the text is still safe to show.
    return redacted
  }
}

function isPlainJson(value: unknown): value is object {
  if (Array.isArray(value)) return true
  if (typeof value !== 'object' || value === null) return false

  const prototype = Object.getPrototypeOf(value)

  return prototype === Object.prototype || prototype === null
}

function redactAuthorization(headers: HeaderBag | undefined): void {
  if (!headers || getAuthorization(headers) === undefined) return

  deleteAuthorization(headers)
  setAuthorization(headers, REDACTED)
}

/**
 * The `request` of a successful API response: a {@link ScrubbedRequest} worked out only when
 * read, so a response pays for one small object, not for parsing its URL.
 */
export class RequestSummary implements ScrubbedRequest {
  readonly #config: RequestTarget & { method?: string | undefined }
  #described: ScrubbedRequest | undefined

  constructor(config: RequestTarget & { method?: string | undefined }) {
    this.#config = config
  }

  get method(): string {
    return this.#describe().method
  }

  get origin(): string | undefined {
    return this.#describe().origin
  }

  get path(): string | undefined {
    return this.#describe().path
  }

  toJSON(): ScrubbedRequest {
    return this.#describe()
  }

  // What `util.inspect` and `console.log` show, without importing node:util.
  [Symbol.for('nodejs.util.inspect.custom')](): ScrubbedRequest {
    return this.#describe()
  }

  #describe(): ScrubbedRequest {
    this.#described ??= summarize(this.#config)

    return this.#described
  }
}

function summarize(config: RequestTarget & { method?: string | undefined }): ScrubbedRequest {
  return Object.freeze(describeRequest(config))
}
