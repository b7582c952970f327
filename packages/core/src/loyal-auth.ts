import { authorizedFetch } from './authorized-fetch.js'
import { apiNow, type CachedToken, cacheToken, isUsable, type LifeOptions } from './cached-token.js'
import { credentialFingerprint } from './fingerprint.js'
import { isLoyalError, LoyalError } from './loyal-error.js'
import type { LoyalToken } from './loyal-token.js'
import { type LoyalAuthOptions, type ResolvedOptions, resolveOptions } from './options.js'
import { isSameOrigin, resolveApiUrl } from './origin.js'
import { selectRecordCodec } from './record-codec.js'
import { RecordStore } from './record-store.js'
import { redactSecrets } from './redact.js'
import { backoffDelay, withRetries } from './retry.js'
import { setLongTimeout, sleep, type TimerHandle } from './timers.js'
import { isRetryable, requestToken } from './token-request.js'

/** Options of {@link LoyalAuth.getToken}. */
export interface GetTokenOptions {
  /** Fetch a new token even if the cached one is still usable. */
  forceRefresh?: boolean
  /**
   * Stops this caller's wait (it rejects with a `timeout` LoyalError). The shared fetch goes on
   * for the other callers, and its token is cached for the next one.
   */
  signal?: AbortSignal
}

/** What {@link LoyalAuth.describe} reports: who the credential is and what it may do. */
export interface LoyalAuthDescription {
  clientId: string | undefined
  clientName: string | undefined
  roles: readonly string[]
  scopes: readonly string[]
  expiresAt: Date
  hasScopeInfo: boolean
}

/** One fetch of a token (from the store or the endpoint) that any number of callers share. */
interface Flight {
  readonly seq: number
  readonly background: boolean
  /** Token values that must not come back from the store: the ones being replaced. */
  readonly refused: Set<string>
  /** Callers awaiting it; while there are some, its backoff timers keep the process alive. */
  waiters: number
  promise: Promise<CachedToken>
}

/** Flights that fail in a row for want of a working endpoint before the cooldown starts. */
const failuresBeforeCooldown = 3
/** The background retry waits at least this long after a failure, at most the maximum. */
const backgroundBackoff = { baseDelay: 1_000, maxDelay: 5 * 60_000 }
/** Polling interval while another process holds the store lock and fetches for us. */
const lockPollInterval = 200
/** How many token values `redact()` remembers. */
const rememberedTokens = 32

function fetchedOnApiClock(entry: CachedToken): number {
  return entry.record.fetchedAt + entry.record.clockOffset
}

function tokenValue(token: LoyalToken | string): string {
  return typeof token === 'string' ? token : token.value
}

/**
 * The token life cycle for one Loyal API credential: fetch, cache, refresh ahead of expiry,
 * and a `fetch` that carries the bearer.
 *
 * - Concurrent callers share one token request (single flight); a failure is never cached.
 * - The token is refreshed in the background at a random point of its usable life (75–85% by
 *   default); callers keep the valid one meanwhile. Expiry is judged on the API's clock.
 * - Retries network errors, timeouts, 408, 429 and 5xx with backoff and full jitter; after
 *   repeated failures the endpoint is left alone for `cooldownDuration`.
 * - Timers are `unref`'d: a process that never calls `close()` still exits.
 *
 * @example
 * const auth = new LoyalAuth({ apiKey: process.env.LOYAL_API_KEY! })
 * const response = await auth.fetch('/empower/rollups?offset=0&limit=10')
 * await auth.close()
 */
export class LoyalAuth implements AsyncDisposable {
  /** The API's base URL, normalised, without a trailing slash. */
  readonly baseUrl: string

  readonly #options: ResolvedOptions
  readonly #origin: URL
  readonly #store: RecordStore
  readonly #life: LifeOptions
  readonly #closing = new AbortController()
  readonly #secrets = new Set<string>()
  readonly #invalidated = new Set<string>()

  #entry: CachedToken | undefined
  #flight: Flight | undefined
  #seq = 0
  #committedSeq = 0
  #refreshTimer: TimerHandle | undefined
  #clockOffset = 0
  #storeKey: { apiKey: string; key: Promise<string> } | undefined
  #cooldown = { until: 0, failedFlights: 0, error: undefined as LoyalError | undefined }
  #background = { failures: 0, nextAt: 0 }
  #closed = false

  /**
   * @param options - see {@link LoyalAuthOptions}; only `apiKey` is required.
   * @throws LoyalError `config`, naming the option, when an option is invalid.
   */
  constructor(options: LoyalAuthOptions) {
    this.#options = resolveOptions(options)
    this.baseUrl = this.#options.baseUrl
    this.#origin = new URL(this.baseUrl)
    this.#life = {
      skewDuration: this.#options.skewDuration,
      refreshWindow: this.#options.refreshWindow,
    }

    const codec = selectRecordCodec(this.#options.store, this.#options.encryptionKey)
    this.#store = new RecordStore(this.#options.store, codec, (event, fields) =>
      this.#log('warn', event, fields)
    )

    if (typeof options.apiKey === 'string') this.#secrets.add(options.apiKey)
  }

  /**
   * A usable token: the cached one, or one fetched now (shared with concurrent callers).
   *
   * @throws LoyalError `invalid_api_key`, `token_endpoint_unavailable`, `timeout`,
   *   `malformed_token`, or `config` (closed, or the `apiKey` function failed).
   * @example
   * const token = await auth.getToken()
   * headers.authorization = `Bearer ${token.value}`
   */
  async getToken(options: GetTokenOptions = {}): Promise<LoyalToken> {
    this.#assertOpen()

    if (options.forceRefresh !== true) {
      const token = this.peekToken()
      if (token !== undefined) return token
    }

    const refused = options.forceRefresh === true ? this.#entry?.token.value : undefined

    return this.#wait(this.#joinOrStartFlight(refused), options.signal)
  }

  /**
   * The hot path: the cached token if it is usable, else `undefined`, synchronously (no promise
   * is created). Starts the background refresh when it is due. Never throws.
   *
   * @example
   * const token = auth.peekToken() ?? (await auth.getToken())
   */
  peekToken(): LoyalToken | undefined {
    const entry = this.#entry
    if (entry === undefined || this.#closed) return undefined

    try {
      const now = this.#options.now()
      if (!isUsable(entry, now)) return undefined
      if (apiNow(entry, now) >= entry.refreshAt) this.#refreshInBackground()

      return entry.token
    } catch {
      return undefined
    }
  }

  /**
   * Drops `token` (default: the cached one) from the cache and the store, but only while it is
   * still the current one there: a newer token is never thrown away.
   */
  async invalidate(token?: LoyalToken | string): Promise<void> {
    const value = token === undefined ? this.#entry?.token.value : tokenValue(token)
    if (value === undefined) return

    this.#drop(value)

    const key = await this.#currentStoreKey().catch(() => undefined)
    if (key !== undefined) await this.#store.deleteIfHolds(key, value)
  }

  /**
   * The 401 rule. Call it with the token a request carried when the API answered 401: if that
   * token is still the current one it is dropped and a new one fetched (one request for all
   * concurrent callers); if a newer token is already cached, that one is returned at once.
   *
   * @example
   * if (response.status === 401) token = await auth.tokenAfterUnauthorized(token)
   */
  async tokenAfterUnauthorized(
    sent: LoyalToken | string,
    options: { signal?: AbortSignal } = {}
  ): Promise<LoyalToken> {
    this.#assertOpen()

    const value = tokenValue(sent)
    const current = this.#entry
    if (current !== undefined && current.token.value !== value) {
      if (isUsable(current, this.#options.now())) return current.token
    }

    this.#drop(value)
    const token = await this.#wait(this.#joinOrStartFlight(value), options.signal)
    if (token.value !== value) return token

    // The shared flight had already settled on the refused token (read from the store before
    // the 401 was known): one more, which skips it.
    return this.#wait(this.#joinOrStartFlight(value), options.signal)
  }

  /**
   * `fetch` with the bearer: paths resolve against `baseUrl`; `Authorization` goes only to the
   * API's origin, also across redirects; after a 401 the token is renewed (see
   * {@link tokenAfterUnauthorized}) and the request replayed once. Other statuses, 403
   * included, are returned as they are.
   *
   * @throws LoyalError `unauthorized` when the replay is refused too, or any `getToken` error.
   * @example
   * const rollups = await (await auth.fetch('/empower/rollups?offset=0&limit=50')).json()
   */
  fetch(pathOrUrl: string | URL, init?: RequestInit): Promise<Response> {
    return authorizedFetch(this.#fetchHost, pathOrUrl, init)
  }

  /**
   * Who the credential is and what it may do: a start-up check.
   *
   * @example
   * const { clientName, scopes, expiresAt } = await auth.describe()
   */
  async describe(): Promise<LoyalAuthDescription> {
    const token = await this.getToken()
    const { clientId, clientName, roles, scopes, expiresAt, hasScopeInfo } = token

    return { clientId, clientName, roles, scopes, expiresAt, hasScopeInfo }
  }

  /** Whether `url` has the API's scheme, host and port: the only place a bearer may go. */
  isApiUrl(url: string | URL): boolean {
    try {
      return isSameOrigin(this.resolveUrl(url), this.#origin)
    } catch {
      return false
    }
  }

  /** Resolves a path against `baseUrl` (keeping its path prefix); absolute URLs pass through. */
  resolveUrl(pathOrUrl: string | URL): URL {
    return resolveApiUrl(this.baseUrl, pathOrUrl)
  }

  /**
   * Hex SHA-256 of `baseUrl + '\n' + apiKey`: names the credential in cache and store keys
   * without revealing it.
   */
  async fingerprint(): Promise<string> {
    return credentialFingerprint(this.baseUrl, await this.#apiKey())
  }

  /** `text` with the API key, every token this instance has seen, and any JWT replaced. */
  redact(text: string): string {
    return redactSecrets(text, this.#secrets)
  }

  /** Stops timers and aborts a token request in progress. Later calls reject with `config`. */
  async close(): Promise<void> {
    if (this.#closed) return

    this.#closed = true
    this.#refreshTimer?.clear()
    this.#entry = undefined
    this.#closing.abort(new LoyalError('config', 'LoyalAuth was closed'))

    await this.#flight?.promise.catch(() => {})
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  // What `fetch` needs of us, bound once.
  readonly #fetchHost = {
    fetch: (input: RequestInfo | URL, init?: RequestInit) => this.#options.fetch(input, init),
    resolveUrl: (url: string | URL) => this.resolveUrl(url),
    isApiUrl: (url: URL) => isSameOrigin(url, this.#origin),
    peekToken: () => this.peekToken(),
    getToken: () => this.getToken(),
    tokenAfterUnauthorized: (sent: LoyalToken) => this.tokenAfterUnauthorized(sent),
  }

  #assertOpen(): void {
    if (this.#closed) throw new LoyalError('config', 'LoyalAuth is closed')
  }

  // ---- single flight -------------------------------------------------------------------

  /** The flight in progress, or a new one; fails fast while the endpoint cools down. */
  #joinOrStartFlight(refused: string | undefined, background = false): Flight {
    const running = this.#flight
    if (running !== undefined) {
      if (refused !== undefined) running.refused.add(refused)
      return running
    }

    if (!background) this.#failFastWhileCoolingDown()

    const flight: Flight = {
      seq: ++this.#seq,
      background,
      refused: new Set(refused === undefined ? [] : [refused]),
      waiters: 0,
      promise: Promise.resolve(undefined as unknown as CachedToken),
    }
    this.#flight = flight
    flight.promise = this.#runFlight(flight)
    // Waiters may all have given up; the outcome is still handled in #runFlight.
    flight.promise.catch(() => {})

    return flight
  }

  async #runFlight(flight: Flight): Promise<CachedToken> {
    try {
      const entry = await this.#acquire(flight)

      return this.#commit(entry, flight.seq)
    } catch (error) {
      throw this.#noteFailure(error, flight)
    } finally {
      if (this.#flight === flight) this.#flight = undefined
    }
  }

  /** Awaits a flight for one caller, whose signal ends only its own wait. */
  async #wait(flight: Flight, signal: AbortSignal | undefined): Promise<LoyalToken> {
    flight.waiters++

    try {
      const entry = signal === undefined ? await flight.promise : await abortable(flight, signal)
      return entry.token
    } finally {
      flight.waiters--
    }
  }

  /**
   * Caches `entry` unless a newer flight committed first or it is older than the usable token
   * already held (a slow store read, another process's stale record). Returns what is cached.
   */
  #commit(entry: CachedToken, seq: number): CachedToken {
    if (this.#closed || seq <= this.#committedSeq) return entry

    const current = this.#entry
    if (current !== undefined && isUsable(current, this.#options.now())) {
      if (fetchedOnApiClock(entry) < fetchedOnApiClock(current)) return current
    }

    this.#committedSeq = seq
    this.#entry = entry
    this.#remember(entry.token.value)
    this.#cooldown = { until: 0, failedFlights: 0, error: undefined }
    this.#background = { failures: 0, nextAt: 0 }
    this.#scheduleRefresh(entry)

    return entry
  }

  #drop(value: string): void {
    this.#invalidated.add(value)
    if (this.#invalidated.size > rememberedTokens) {
      this.#invalidated.delete(this.#invalidated.values().next().value as string)
    }

    if (this.#entry?.token.value !== value) return

    this.#entry = undefined
    this.#refreshTimer?.clear()
  }

  // ---- acquiring a token: store first, then the endpoint ---------------------------------

  async #acquire(flight: Flight): Promise<CachedToken> {
    const apiKey = await this.#apiKey()
    const key = await this.#storeKeyFor(apiKey)

    const stored = await this.#adoptable(key, flight)
    if (stored !== undefined) return stored

    const lockTtl = this.#options.retry.deadline + 1_000
    const lock = await this.#store.lock(key, lockTtl)

    try {
      const ready =
        lock.kind === 'busy'
          ? await this.#awaitOtherProcess(key, flight, lockTtl)
          : lock.kind === 'held'
            ? await this.#adoptable(key, flight)
            : undefined
      if (ready !== undefined) return ready

      const entry = await this.#fetchToken(apiKey, flight)
      const ttl = entry.usableUntil - apiNow(entry, this.#options.now())
      await this.#store.write(key, entry.record, ttl)

      return entry
    } finally {
      if (lock.kind === 'held') await this.#store.release(lock.lock)
    }
  }

  /** A stored token worth taking: usable, not refused, and not itself due for refresh. */
  async #adoptable(key: string, flight: Flight): Promise<CachedToken | undefined> {
    const record = await this.#store.read(key)
    if (record === undefined) return undefined
    if (flight.refused.has(record.token) || this.#invalidated.has(record.token)) return undefined

    let entry: CachedToken
    try {
      entry = cacheToken(record, this.#life, false)
    } catch {
      this.#log('warn', 'store-record-unreadable', {})
      return undefined
    }

    const now = this.#options.now()
    if (!isUsable(entry, now)) return undefined

    // With a usable token in hand, only a newer one that is not itself due for refresh helps.
    const current = this.#entry
    if (current !== undefined && isUsable(current, now)) {
      if (fetchedOnApiClock(entry) <= fetchedOnApiClock(current)) return undefined
      if (apiNow(entry, now) >= entry.refreshAt) return undefined
    }

    this.#log('debug', 'token-read-from-store', { expiresAt: entry.token.expiresAt })

    return entry
  }

  /** Another process holds the lock and is fetching: wait for its record, up to the lock's TTL. */
  async #awaitOtherProcess(
    key: string,
    flight: Flight,
    ttl: number
  ): Promise<CachedToken | undefined> {
    for (let waited = 0; waited < ttl; waited += lockPollInterval) {
      await sleep(lockPollInterval, { signal: this.#closing.signal, keepAlive: flight.waiters > 0 })

      const entry = await this.#adoptable(key, flight)
      if (entry !== undefined) return entry
    }

    return undefined
  }

  async #fetchToken(apiKey: string, flight: Flight): Promise<CachedToken> {
    const options = this.#options
    const { value: response, attempts } = await withRetries(
      (remainingMs) =>
        requestToken({
          fetch: options.fetch,
          url: `${this.baseUrl}${options.tokenPath}`,
          path: options.tokenPath,
          apiKey,
          timeoutMs: Math.min(options.timeoutDuration, remainingMs),
          now: options.now,
          signal: this.#closing.signal,
        }),
      {
        policy: options.retry,
        isRetryable,
        keepAlive: () => flight.waiters > 0,
        signal: this.#closing.signal,
        onRetry: ({ error, attempt, waitMs }) =>
          this.#log('debug', 'token-request-retry', {
            code: error.code,
            status: error.status,
            attempt,
            waitMs,
          }),
      }
    )

    this.#remember(response.jwt)
    this.#clockOffset = response.clockOffset ?? this.#clockOffset
    const record = {
      token: response.jwt,
      fetchedAt: response.receivedAt,
      clockOffset: this.#clockOffset,
    }
    const entry = cacheToken(record, this.#life, true)

    this.#reportFetched(entry, attempts)

    return entry
  }

  #reportFetched(entry: CachedToken, attempts: number): void {
    const { token } = entry

    this.#log('debug', 'token-fetched', {
      clientId: token.clientId,
      expiresAt: token.expiresAt,
      attempts,
      clockOffsetMs: entry.record.clockOffset,
    })
    if (token.expSource === 'milliseconds') this.#log('debug', 'token-exp-in-milliseconds', {})
    if (entry.graced) {
      this.#log('warn', 'token-expired-on-arrival', {
        expiresAt: token.expiresAt,
        skewDuration: this.#options.skewDuration,
      })
    }

    this.#runHooks('tokenFetched', this.#options.hooks.tokenFetched, { token, attempts })
  }

  // ---- failures, cooldown, background refresh --------------------------------------------

  /** Normalises a flight's error, and starts the cooldown after repeated failures. */
  #noteFailure(raw: unknown, flight: Flight): unknown {
    if (this.#closed) return raw

    const error = isLoyalError(raw)
      ? raw
      : new LoyalError('token_endpoint_unavailable', 'Token request failed', { cause: raw })

    if (error.code === 'timeout' || error.code === 'token_endpoint_unavailable') {
      this.#startCooldownIfDue(error)
    }

    const entry = this.#entry
    if (flight.background || (entry !== undefined && isUsable(entry, this.#options.now()))) {
      this.#retryInBackground(error, flight.background)
    }

    return error
  }

  #startCooldownIfDue(error: LoyalError): void {
    const cooldown = this.#cooldown
    cooldown.failedFlights++

    const repeated = cooldown.failedFlights >= failuresBeforeCooldown
    const wait = Math.max(repeated ? this.#options.cooldownDuration : 0, error.retryAfter ?? 0)
    if (wait <= 0) return

    cooldown.until = this.#options.now() + wait
    cooldown.error = error
    this.#log('warn', 'token-endpoint-cooldown', {
      code: error.code,
      status: error.status,
      waitMs: wait,
    })
  }

  #failFastWhileCoolingDown(): void {
    const { until, error } = this.#cooldown
    const left = until - this.#options.now()
    if (error === undefined || left <= 0) return

    throw new LoyalError(
      error.code,
      `${error.message}; not retried for another ${Math.ceil(left / 1000)} s`,
      {
        status: error.status,
        method: error.method,
        path: error.path,
        retryAfter: left,
      }
    )
  }

  /** Schedules the refresh ahead of expiry for a newly cached token. */
  #scheduleRefresh(entry: CachedToken): void {
    const delay = Math.max(0, entry.refreshAt - apiNow(entry, this.#options.now()))

    this.#refreshTimer?.clear()
    this.#refreshTimer = setLongTimeout(() => this.#refreshInBackground(), delay)
    this.#log('debug', 'refresh-scheduled', {
      inMs: Math.round(delay),
      expiresAt: entry.token.expiresAt,
    })
  }

  #refreshInBackground(): void {
    if (this.#closed || this.#flight !== undefined) return

    const now = this.#options.now()
    if (now < this.#background.nextAt || now < this.#cooldown.until) return

    // A cold or spent cache is filled by the callers who need it, not ahead of time.
    const entry = this.#entry
    if (entry === undefined || !isUsable(entry, now)) return

    this.#joinOrStartFlight(entry.token.value, true)
  }

  /** Plans the next background attempt, before the token's usable life ends. */
  #retryInBackground(error: LoyalError, report: boolean): void {
    const attempt = ++this.#background.failures
    const now = this.#options.now()
    const { baseDelay, maxDelay } = backgroundBackoff
    const wait = Math.max(
      baseDelay,
      backoffDelay(attempt, baseDelay, maxDelay),
      error.retryAfter ?? 0,
      this.#cooldown.until - now
    )

    const entry = this.#entry
    const fits = entry !== undefined && apiNow(entry, now) + wait < entry.usableUntil
    this.#background.nextAt = now + wait
    this.#refreshTimer?.clear()
    if (fits) this.#refreshTimer = setLongTimeout(() => this.#refreshInBackground(), wait)

    if (!report) return

    const retryInMs = fits ? wait : undefined
    this.#log('warn', 'refresh-failed', {
      code: error.code,
      status: error.status,
      attempt,
      retryInMs,
    })
    this.#runHooks('refreshFailed', this.#options.hooks.refreshFailed, {
      error,
      attempt,
      retryInMs,
    })
  }

  // ---- small helpers -----------------------------------------------------------------

  async #apiKey(): Promise<string> {
    let apiKey: string
    try {
      apiKey = await this.#options.apiKey()
    } catch (error) {
      if (isLoyalError(error)) throw error
      throw new LoyalError('config', 'The "apiKey" function failed', { cause: error })
    }

    this.#secrets.add(apiKey)

    return apiKey
  }

  #storeKeyFor(apiKey: string): Promise<string> {
    if (this.#storeKey?.apiKey !== apiKey) {
      this.#storeKey = { apiKey, key: credentialFingerprint(this.baseUrl, apiKey) }
    }

    return this.#storeKey.key
  }

  async #currentStoreKey(): Promise<string> {
    return this.#storeKey?.key ?? this.#storeKeyFor(await this.#apiKey())
  }

  /** Token values for `redact()`; the API key(s) stay, old tokens make room for new ones. */
  #remember(token: string): void {
    if (this.#secrets.has(token)) return

    this.#secrets.add(token)
    const tokens = [...this.#secrets].filter((secret) => secret.includes('.'))
    if (tokens.length > rememberedTokens) this.#secrets.delete(tokens[0]!)
  }

  #log(level: 'debug' | 'warn', event: string, fields: Record<string, unknown>): void {
    try {
      this.#options.logger?.[level]({ event, ...fields }, `loyal-auth: ${event}`)
    } catch {
      // A broken logger must not break token handling.
    }
  }

  #runHooks<T>(name: string, hooks: Array<(state: T) => void>, state: T): void {
    for (const hook of hooks) {
      try {
        hook(state)
      } catch (error) {
        this.#log('warn', 'hook-failed', { hook: name, errorName: (error as Error)?.name })
      }
    }
  }
}

/** A flight's promise for one caller, rejected with `timeout` when the caller's signal aborts. */
function abortable(flight: Flight, signal: AbortSignal): Promise<CachedToken> {
  const aborted = () =>
    new LoyalError('timeout', 'Waiting for a token was aborted', { cause: signal.reason })
  if (signal.aborted) return Promise.reject(aborted())

  return new Promise((resolve, reject) => {
    const onAbort = () => reject(aborted())
    signal.addEventListener('abort', onAbort, { once: true })
    flight.promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort))
  })
}
