import type { LoyalError } from './loyal-error.js'
import type { RetryOptions } from './options.js'
import { sleep } from './timers.js'

/** Waits longer than this in `Retry-After` are read as this: a broken header must not stall us for days. */
export const maxRetryAfter = 10 * 60_000

/**
 * Exponential backoff with full jitter: a random wait in [0, min(max, base·2^(attempt-1))), so
 * a fleet that failed together does not retry together.
 */
export function backoffDelay(
  attempt: number,
  baseDelay: number,
  maxDelay: number,
  random: () => number = Math.random
): number {
  const ceiling = Math.min(maxDelay, baseDelay * 2 ** Math.max(0, attempt - 1))

  return Math.floor(random() * ceiling)
}

/**
 * `Retry-After` in ms: either delay-seconds or an HTTP date, read against the response's own
 * `Date` when it has one (both come from the same clock), else against `localNow`. A date in
 * the past is 0; `undefined` when the header is absent or garbage. The wait is not capped:
 * cap it to your own policy (the token request caps it at {@link maxRetryAfter}).
 *
 * @example
 * const waitMs = parseRetryAfter(response.headers.get('retry-after'), response.headers.get('date'))
 */
export function parseRetryAfter(
  value: string | null | undefined,
  responseDate?: string | null,
  localNow: number = Date.now()
): number | undefined {
  if (value === null || value === undefined) return undefined

  const text = value.trim()
  if (/^\d+$/.test(text)) {
    const ms = Number(text) * 1000
    return Number.isFinite(ms) ? ms : undefined
  }

  // All three HTTP date formats start with a day name; Date.parse alone accepts "-1".
  const at = /^[a-z]{3}/i.test(text) ? Date.parse(text) : Number.NaN
  if (!Number.isFinite(at)) return undefined

  const reference = typeof responseDate === 'string' ? Date.parse(responseDate) : Number.NaN
  const now = Number.isFinite(reference) ? reference : localNow

  return Math.max(0, at - now)
}

export interface RetryContext {
  policy: Required<RetryOptions>
  isRetryable(error: LoyalError): boolean
  /** Whether a caller waits on the backoff (the timer then keeps the process alive). */
  keepAlive(): boolean
  signal: AbortSignal
  random?: () => number
  /** Called before each backoff wait. */
  onRetry?: (state: { error: LoyalError; attempt: number; waitMs: number }) => void
}

/** Milliseconds since an arbitrary origin, immune to wall-clock jumps; deadlines use it. */
function monotonicNow(): number {
  return globalThis.performance?.now() ?? Date.now()
}

/**
 * Runs `attempt` until it succeeds, fails for good, runs out of attempts, or the deadline is
 * reached. Each attempt is told how much of the deadline is left, to cap its own timeout.
 * Rejects with the last attempt's error.
 */
export async function withRetries<T>(
  attempt: (remainingMs: number) => Promise<T>,
  context: RetryContext
): Promise<{ value: T; attempts: number }> {
  const { policy } = context
  const started = monotonicNow()

  for (let attempts = 1; ; attempts++) {
    const remaining = policy.deadline - (monotonicNow() - started)

    try {
      return { value: await attempt(remaining), attempts }
    } catch (error) {
      const failure = error as LoyalError
      if (attempts >= policy.attempts || !context.isRetryable(failure)) throw failure

      const jitter = backoffDelay(attempts, policy.baseDelay, policy.maxDelay, context.random)
      const wait = Math.max(jitter, failure.retryAfter ?? 0)
      const left = policy.deadline - (monotonicNow() - started)

      // The server asked for more patience than the deadline allows: give up now, the cooldown
      // will honour the rest of its Retry-After.
      if (wait >= left) throw failure

      context.onRetry?.({ error: failure, attempt: attempts, waitMs: wait })
      await sleep(wait, { signal: context.signal, keepAlive: context.keepAlive() })
    }
  }
}
