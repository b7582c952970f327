import { apiNow, type CachedToken, cacheToken, isUsable, type LifeOptions } from './cached-token.js'
import { credentialFingerprint } from './fingerprint.js'
import type { ResolvedOptions } from './options.js'
import type { TokenRecord } from './record-codec.js'
import type { LockResult, RecordStore } from './record-store.js'
import { withRetries } from './retry.js'
import { sleep } from './timers.js'
import { isRetryable, requestToken } from './token-request.js'

/** Polling interval while another process holds the store lock and fetches for us. */
const lockPollInterval = 200

const none: LockResult = { kind: 'none' }

/** What one acquisition needs to know of the cache and its callers. */
export interface AcquireRequest {
  apiKey: string
  /** Token values that must not come back from the store (the ones being replaced). */
  isRefused(token: string): boolean
  /** The cached token, if any: a stored one must be newer to be taken. */
  current(): CachedToken | undefined
  /** Whether a caller waits (backoff timers then keep the process alive). */
  keepAlive(): boolean
}

export interface TokenSourceContext {
  options: ResolvedOptions
  store: RecordStore
  /** Aborted by `close()`. */
  signal: AbortSignal
  log(level: 'debug' | 'warn', event: string, fields: Record<string, unknown>): void
}

/** Fetch time on the API's clock: which of two tokens is newer. */
export function fetchedOnApiClock(entry: CachedToken): number {
  return entry.record.fetchedAt + entry.record.clockOffset
}

/**
 * Where tokens come from: the store first (another process, or an earlier run, may have one),
 * then the token endpoint, under the store's lock when it has one so that a fleet sharing a
 * store makes one request per refresh.
 */
export class TokenSource {
  readonly #context: TokenSourceContext
  readonly #life: LifeOptions
  readonly #tokenUrl: string
  /** API clock minus ours, once a token response has told us. */
  #clockOffset: number | undefined
  #storeKey: { apiKey: string; key: Promise<string> } | undefined

  constructor(context: TokenSourceContext) {
    const { options } = context

    this.#context = context
    this.#life = { skewDuration: options.skewDuration, refreshWindow: options.refreshWindow }
    this.#tokenUrl = `${options.baseUrl}${options.tokenPath}`
  }

  /**
   * A token from the store or, failing that, the endpoint (written back to the store).
   *
   * @returns the token and, when fetched, the attempts it took (0 when read from the store).
   */
  async acquire(request: AcquireRequest): Promise<{ entry: CachedToken; attempts: number }> {
    const key = await this.storeKeyFor(request.apiKey)

    const stored = await this.#adoptable(key, request)
    if (stored !== undefined) return { entry: stored, attempts: 0 }

    // The lock outlives the whole fetch, retries included: no second holder while it runs.
    const lockTtl = this.#context.options.retry.deadline + 1_000

    // Another process holds the lock and is fetching: wait for its record, and take the lock
    // if it lets go without one (its fetch failed). Past the TTL the holder is presumed dead.
    for (let waited = 0; ; waited += lockPollInterval) {
      const lock = waited < lockTtl ? await this.#context.store.lock(key, lockTtl) : none
      if (lock.kind !== 'busy') return this.#fetchUnder(lock, key, request)

      // A store whose lock() waits (Redis) reports "busy" once the holder has written: look
      // before sleeping.
      const entry = await this.#adoptable(key, request)
      if (entry !== undefined) return { entry, attempts: 0 }

      const keepAlive = request.keepAlive()
      await sleep(lockPollInterval, { signal: this.#context.signal, keepAlive })
    }
  }

  /** The store key for a credential: a hash, never the key itself. */
  storeKeyFor(apiKey: string): Promise<string> {
    if (this.#storeKey?.apiKey !== apiKey) {
      this.#storeKey = { apiKey, key: credentialFingerprint(this.#context.options.baseUrl, apiKey) }
    }

    return this.#storeKey.key
  }

  /** The store key last used, if any. */
  get lastStoreKey(): Promise<string> | undefined {
    return this.#storeKey?.key
  }

  /** A stored token worth taking: usable, not refused, newer than the cached one. */
  async #adoptable(key: string, request: AcquireRequest): Promise<CachedToken | undefined> {
    const record = await this.#context.store.read(key)
    if (record === undefined || request.isRefused(record.token)) return undefined

    let entry: CachedToken
    try {
      entry = cacheToken(this.#onOurClock(record), this.#life, false)
    } catch {
      this.#context.log('warn', 'store-record-unreadable', {})
      return undefined
    }

    const now = this.#context.options.now()
    if (!isUsable(entry, now)) return undefined

    // With a usable token in hand, only a newer one that is not itself due for refresh helps.
    const current = request.current()
    if (current !== undefined && isUsable(current, now)) {
      if (fetchedOnApiClock(entry) <= fetchedOnApiClock(current)) return undefined
      if (apiNow(entry, now) >= entry.refreshAt) return undefined
    }

    this.#context.log('debug', 'token-read-from-store', { expiresAt: entry.token.expiresAt })

    return entry
  }

  /**
   * A token fetched after ours, already in the store, is kept rather than overwritten: a
   * holder paused past its lock's stale time (a long GC pause, a suspended VM), or a store
   * without locks, would otherwise put an older token over a newer one and leave the fleet on
   * two. Read just before writing, so the gap left is that between one read and one write.
   */
  async #newerInStore(
    key: string,
    fetched: CachedToken,
    request: AcquireRequest
  ): Promise<CachedToken | undefined> {
    const stored = await this.#adoptable(key, { ...request, current: () => fetched })
    if (stored === undefined || stored.token.value === fetched.token.value) return undefined

    this.#context.log('debug', 'token-newer-in-store', {})

    return stored
  }

  /**
   * A record written by another process carries that process's clock offset; once we know our
   * own, the record is re-based on it (the API-clock fetch time stays the same).
   */
  #onOurClock(record: TokenRecord): TokenRecord {
    const offset = this.#clockOffset
    if (offset === undefined || offset === record.clockOffset) return record

    const fetchedOnApi = record.fetchedAt + record.clockOffset

    return { token: record.token, fetchedAt: fetchedOnApi - offset, clockOffset: offset }
  }

  /** Fetches (under the lock, if held: re-reading the store first) and stores the token. */
  async #fetchUnder(
    lock: LockResult,
    key: string,
    request: AcquireRequest
  ): Promise<{ entry: CachedToken; attempts: number }> {
    const { store, options } = this.#context

    try {
      // Between our read and the lock, the previous holder may have written a token.
      const ready = lock.kind === 'held' ? await this.#adoptable(key, request) : undefined
      if (ready !== undefined) return { entry: ready, attempts: 0 }

      const fetched = await this.#fetch(request)
      const newer = await this.#newerInStore(key, fetched.entry, request)
      if (newer !== undefined) return { entry: newer, attempts: fetched.attempts }

      const ttl = fetched.entry.usableUntil - apiNow(fetched.entry, options.now())
      await store.write(key, fetched.entry.record, ttl)

      return fetched
    } finally {
      if (lock.kind === 'held') await store.release(lock.lock)
    }
  }

  /** Asks the endpoint, with retries, and decodes the answer on the API's clock. */
  async #fetch(request: AcquireRequest): Promise<{ entry: CachedToken; attempts: number }> {
    const { options, signal, log } = this.#context
    const { value: response, attempts } = await withRetries(
      (remainingMs) =>
        requestToken({
          fetch: options.fetch,
          url: this.#tokenUrl,
          path: options.tokenPath,
          apiKey: request.apiKey,
          timeoutMs: Math.min(options.timeoutDuration, remainingMs),
          now: options.now,
          signal,
        }),
      {
        policy: options.retry,
        isRetryable,
        keepAlive: request.keepAlive,
        signal,
        onRetry: ({ error, attempt, waitMs }) => {
          const fields = { code: error.code, upstreamStatus: error.upstreamStatus, attempt, waitMs }
          log('debug', 'token-request-retry', fields)
        },
      }
    )

    // An absent or unreadable Date keeps the offset we had.
    this.#clockOffset = response.clockOffset ?? this.#clockOffset ?? 0
    const record = {
      token: response.jwt,
      fetchedAt: response.receivedAt,
      clockOffset: this.#clockOffset,
    }

    return { entry: cacheToken(record, this.#life, true), attempts }
  }
}
