import { isLoyalError, LoyalError } from './loyal-error.js'
import type { RetryOptions } from './options.js'
import { withRetries } from './retry.js'
import { setLongTimeout } from './timers.js'

/** What one lookup of the API key needs. */
export interface ApiKeyLookup {
  /** The resolved `apiKey` option: validates what the user's function returns. */
  apiKey: () => Promise<string>
  /** `timeoutDuration`: the limit of one call of the key function. */
  timeoutMs: number
  /** `retry`: a failing key function is called again within the same deadline. */
  policy: Required<RetryOptions>
  keepAlive(): boolean
  /** Aborted by `close()`. */
  signal: AbortSignal
  /** Hides known keys and tokens in the key function's error message. */
  redact(text: string): string
}

// Failures worth another call of the key function: it hung or threw. An invalid key is not.
const retryable = new WeakSet<LoyalError>()

/**
 * The key function's own error, without what may hold the key: a new error of the same name
 * whose message is redacted (known keys and tokens, JWTs, `ApiKey …`), with no nested cause.
 */
function safeCause(error: unknown, redact: (text: string) => string): Error {
  const name = error instanceof Error ? error.name : typeof error
  const cause = new Error(error instanceof Error ? redact(error.message) : '')
  cause.name = name
  cause.stack = `${name}: ${cause.message}`

  return cause
}

/** One call of the key function, bounded by `timeoutMs`. */
async function callOnce(lookup: ApiKeyLookup, timeoutMs: number): Promise<string> {
  let timer: { clear(): void } | undefined
  const timedOut = new Promise<never>((_, reject) => {
    const message = `The "apiKey" function did not answer within ${timeoutMs} ms`
    const error = new LoyalError('timeout', message)
    retryable.add(error)
    timer = setLongTimeout(() => reject(error), timeoutMs)
  })
  const { signal } = lookup
  let onAbort = () => {}
  const closed = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason)
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
  })

  try {
    return await Promise.race([lookup.apiKey(), timedOut, closed])
  } catch (error) {
    if (isLoyalError(error)) throw error

    const message = 'The "apiKey" function failed'
    const failure = new LoyalError('token_endpoint_unavailable', message, {
      cause: safeCause(error, lookup.redact),
    })
    retryable.add(failure)
    throw failure
  } finally {
    timer?.clear()
    signal.removeEventListener('abort', onAbort)
  }
}

/**
 * Calls the `apiKey` function with the token request's limits: each call may take
 * `timeoutDuration` (else `timeout`), and a call that hangs or throws is retried with backoff
 * within `retry.attempts` and `retry.deadline`. What it returns is validated: an invalid key is a
 * `config` error at once. The function's error message is never kept (it may hold the key).
 *
 * @throws LoyalError `timeout` (it hung), `token_endpoint_unavailable` (it kept throwing),
 *   `config` (it returned an invalid key).
 */
export async function lookUpApiKey(lookup: ApiKeyLookup): Promise<string> {
  const { value } = await withRetries(
    (remainingMs) => callOnce(lookup, Math.max(1, Math.min(lookup.timeoutMs, remainingMs))),
    {
      policy: lookup.policy,
      isRetryable: (error) => retryable.has(error),
      keepAlive: lookup.keepAlive,
      signal: lookup.signal,
    }
  )

  return value
}
