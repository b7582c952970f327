import { apiNow, type CachedToken } from './cached-token.js'
import { backoffDelay } from './retry.js'
import { setLongTimeout, type TimerHandle } from './timers.js'

/** Background retries wait at least the base, at most the maximum (ms). */
const backgroundBackoff = { baseDelay: 1_000, maxDelay: 5 * 60_000 }

/** What `planRetry` decided. */
export interface PlannedRetry {
  /** 1 for the first failed background refresh of the current token, then 2, 3, … */
  attempt: number
  /** When the next attempt runs; undefined when the token's usable life ends first. */
  retryInMs: number | undefined
}

/**
 * When the background refresh runs: once, at the token's refresh point, and after a failure
 * again with backoff, for as long as the token is usable. Its one timer is `unref`'d and never
 * set beyond 2^31-1 ms (see timers.ts).
 */
export class RefreshSchedule {
  readonly #refresh: () => void
  #timer: TimerHandle | undefined
  #failures = 0
  #notBefore = 0

  /** @param refresh - starts the background refresh; called by the timer. */
  constructor(refresh: () => void) {
    this.#refresh = refresh
  }

  /** Arms the refresh at `entry`'s refresh point; returns the delay in ms. */
  planRefresh(entry: CachedToken, now: number): number {
    const delay = Math.max(0, entry.refreshAt - apiNow(entry, now))

    this.#failures = 0
    this.#notBefore = 0
    this.#arm(delay)

    return delay
  }

  /**
   * Plans the next attempt after a failed one: full-jitter backoff, no sooner than the
   * server's `Retry-After` or `notBefore` (the cooldown), and only if the token is still usable
   * by then.
   */
  planRetry(entry: CachedToken | undefined, now: number, notBefore: number): PlannedRetry {
    const attempt = ++this.#failures
    const { baseDelay, maxDelay } = backgroundBackoff
    const wait = Math.max(baseDelay, backoffDelay(attempt, baseDelay, maxDelay), notBefore - now)
    const fits = entry !== undefined && apiNow(entry, now) + wait < entry.usableUntil

    this.#notBefore = now + wait
    this.clear()
    if (fits) this.#arm(wait)

    return { attempt, retryInMs: fits ? wait : undefined }
  }

  /** True while a failed attempt's backoff runs: `peekToken` must not start another. */
  isHeldBack(now: number): boolean {
    return now < this.#notBefore
  }

  clear(): void {
    this.#timer?.clear()
    this.#timer = undefined
  }

  #arm(delay: number): void {
    this.clear()
    this.#timer = setLongTimeout(this.#refresh, delay)
  }
}
