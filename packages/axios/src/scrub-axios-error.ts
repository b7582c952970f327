import { type LoyalAuth, REDACTED } from '@loyal-auth/core'
import type { AxiosError } from 'axios'
import {
  deleteAuthorization,
  getAuthorization,
  type HeaderBag,
  setAuthorization,
} from './headers.js'
import { describeRequest, type RequestTarget } from './request-target.js'

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
 * Removes our secrets from an axios error in place and returns it: the `Authorization` value in
 * `config` and `response.config` becomes `[redacted]`, `request` and `response.request` become a
 * {@link ScrubbedRequest}, and `message` and `stack` go through `auth.redact`. Everything else
 * (code, status, response data and headers) is left as axios made it.
 */
export function scrubAxiosError<T extends AxiosError>(error: T, auth: LoyalAuth): T {
  const { config, response } = error

  redactAuthorization(config?.headers as HeaderBag | undefined)
  redactAuthorization(response?.config?.headers as HeaderBag | undefined)

  const summary = config ? summarize(config) : undefined

  if (error.request !== undefined) error.request = summary ?? Object.freeze({})
  if (response?.request !== undefined) response.request = summary ?? Object.freeze({})

  error.message = auth.redact(error.message)
  if (typeof error.stack === 'string') error.stack = auth.redact(error.stack)

  return error
}

function redactAuthorization(headers: HeaderBag | undefined): void {
  if (!headers || getAuthorization(headers) === undefined) return

  deleteAuthorization(headers)
  setAuthorization(headers, REDACTED)
}

function summarize(config: RequestTarget & { method?: string | undefined }): ScrubbedRequest {
  return Object.freeze(describeRequest(config))
}
