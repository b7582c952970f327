import { LoyalError } from './loyal-error.js'

/** Failed fetches in a row, for want of a working endpoint, before the cooldown starts. */
export const failuresBeforeCooldown = 3

/**
 * Leaves the token endpoint alone after repeated failures, or for as long as its `Retry-After`
 * asked, so that every caller of a struggling API does not add to its load. Meanwhile callers
 * fail fast with the last error.
 */
export class Cooldown {
  readonly #duration: number
  #failures = 0
  #until = 0
  #error: LoyalError | undefined

  /** @param duration - `cooldownDuration`, in ms. */
  constructor(duration: number) {
    this.#duration = duration
  }

  /** Local time (ms) until which the endpoint is left alone; 0 when it is not. */
  get until(): number {
    return this.#until
  }

  /** Counts a failed fetch; returns the wait in ms when a cooldown starts. */
  noteFailure(error: LoyalError, now: number): number | undefined {
    this.#failures++

    const repeated = this.#failures >= failuresBeforeCooldown
    const wait = Math.max(repeated ? this.#duration : 0, error.retryAfter ?? 0)
    if (wait <= 0) return undefined

    this.#until = now + wait
    this.#error = error

    return wait
  }

  /** A token arrived: the endpoint works again. */
  reset(): void {
    this.#failures = 0
    this.#until = 0
    this.#error = undefined
  }

  /** @throws LoyalError a copy of the last error (with `retryAfter`) while cooling down. */
  failFast(now: number): void {
    const error = this.#error
    const left = this.#until - now
    if (error === undefined || left <= 0) return

    throw failFastCopy(error, left)
  }
}

/** A copy of `error` for a caller turned away for another `left` ms. */
function failFastCopy(error: LoyalError, left: number): LoyalError {
  const message = `${error.message}; not retried for another ${Math.ceil(left / 1000)} s`
  const { upstreamStatus, method, path } = error

  return new LoyalError(error.code, message, { upstreamStatus, method, path, retryAfter: left })
}

/**
 * After the token endpoint refused a key (`invalid_api_key`), that key is not sent again for
 * `cooldownDuration`: callers fail fast with the same error. A different key (from an `apiKey`
 * function) or {@link RefusedKey.clear} (a forced refresh) ends it.
 */
export class RefusedKey {
  readonly #duration: number
  #key: string | undefined
  #until = 0
  #error: LoyalError | undefined

  /** @param duration - `cooldownDuration`, in ms. */
  constructor(duration: number) {
    this.#duration = duration
  }

  /** The endpoint refused `key`; returns the wait in ms when a cooldown starts. */
  noteRefusal(key: string, error: LoyalError, now: number): number | undefined {
    if (this.#duration <= 0) return undefined

    this.#key = key
    this.#until = now + this.#duration
    this.#error = error

    return this.#duration
  }

  clear(): void {
    this.#key = undefined
    this.#until = 0
    this.#error = undefined
  }

  /** @throws LoyalError a copy of the refusal while `key` is the refused one and cooling down. */
  failFast(key: string, now: number): void {
    const error = this.#error
    if (error === undefined) return

    const left = this.#until - now
    if (key !== this.#key || left <= 0) {
      this.clear()
      return
    }

    throw failFastCopy(error, left)
  }
}
