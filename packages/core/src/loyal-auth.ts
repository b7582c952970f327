import { onAbort } from './abort-waiters.js'
import { lookUpApiKey } from './api-key-lookup.js'
import { authorizedFetch, type FetchInput, type TokenWaitOptions } from './authorized-fetch.js'
import { apiNow, type CachedToken, isUsable } from './cached-token.js'
import { Cooldown, RefusedKey } from './cooldown.js'
import { credentialFingerprint } from './fingerprint.js'
import { isLoyalError, LoyalError } from './loyal-error.js'
import type { LoyalToken } from './loyal-token.js'
import { type LoyalAuthOptions, type ResolvedOptions, resolveOptions } from './options.js'
import { isSameOrigin, resolveApiUrl } from './origin.js'
import { selectRecordCodec } from './record-codec.js'
import { RecordStore } from './record-store.js'
import { redactSecrets } from './redact.js'
import { RefreshSchedule } from './refresh-schedule.js'
import { fetchedOnApiClock, TokenSource } from './token-source.js'

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

/** How many token values `redact()` remembers, and how many invalidated ones are refused. */
const rememberedTokens = 32

/** Adds `value` to an insertion-ordered set, dropping the oldest beyond `limit`. */
function addBounded(set: Set<string>, value: string, limit: number): void {
  set.delete(value)
  set.add(value)
  if (set.size > limit) set.delete(set.values().next().value as string)
}

function tokenValue(token: LoyalToken | string): string {
  return typeof token === 'string' ? token : token.value
}

/**
 * The token life cycle for one Loyal API credential: fetch, cache, refresh ahead of expiry,
 * and a `fetch` that carries the bearer.
 *
 * - Concurrent callers share one token request (single flight); a failure is never cached.
 * - The token is refreshed in the background at a random point of its usable life (75–83% by
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
  readonly #store: RecordStore
  readonly #origin: URL
  readonly #closing = new AbortController()
  readonly #source: TokenSource
  readonly #schedule = new RefreshSchedule(() => this.#refreshInBackground())
  readonly #cooldown: Cooldown
  /** The key the endpoint last refused: not sent again for `cooldownDuration`. */
  readonly #refusedKey: RefusedKey
  /** API keys and recent token values, for `redact()`. */
  readonly #apiKeys = new Set<string>()
  readonly #tokens = new Set<string>()
  /** Tokens dropped after a 401 or `invalidate()`: never read back from the store. */
  readonly #invalidated = new Set<string>()
  /** The fingerprint of the key each token was fetched with (see `fingerprint()`). */
  readonly #fingerprints = new WeakMap<LoyalToken, Promise<string>>()

  #entry: CachedToken | undefined
  #flight: Flight | undefined
  /** Deletions of dropped tokens from the store; a new flight waits for them (see #forget). */
  #forgetting: Promise<void> = Promise.resolve()
  #seq = 0
  #committedSeq = 0
  #closed = false
  #keyLookup: Promise<string> | undefined
  #settled: { readonly token: LoyalToken; readonly promise: Promise<LoyalToken> } | undefined

  /**
   * @param options - see {@link LoyalAuthOptions}; only `apiKey` is required.
   * @throws LoyalError `config`, naming the option, when an option is invalid.
   */
  constructor(options: LoyalAuthOptions) {
    this.#options = resolveOptions(options)
    this.baseUrl = this.#options.baseUrl
    this.#origin = new URL(this.baseUrl)
    this.#cooldown = new Cooldown(this.#options.cooldownDuration)
    this.#refusedKey = new RefusedKey(this.#options.cooldownDuration)

    const log = this.#log.bind(this)
    const codec = selectRecordCodec(this.#options.store, this.#options.encryptionKey)
    const store = new RecordStore(this.#options.store, codec, (event, fields) =>
      log('warn', event, fields)
    )
    this.#source = new TokenSource({
      options: this.#options,
      store,
      signal: this.#closing.signal,
      log,
    })
    this.#store = store

    if (typeof options.apiKey === 'string') this.#apiKeys.add(options.apiKey)
  }

  /**
   * A usable token: the cached one, or one fetched now (shared with concurrent callers).
   *
   * @throws LoyalError `invalid_api_key`, `token_endpoint_unavailable`, `timeout`,
   *   `malformed_token`, or `config` (closed, or the `apiKey` function returned an invalid
   *   key). An `apiKey` function that hangs longer than `timeoutDuration` is a `timeout`, one
   *   that throws is `token_endpoint_unavailable`; both are retried within `retry.deadline`.
   * @example
   * const token = await auth.getToken()
   * headers.authorization = `Bearer ${token.value}`
   */
  getToken(options?: GetTokenOptions): Promise<LoyalToken> {
    if (options?.forceRefresh !== true) {
      const token = this.peekToken()
      if (token !== undefined) return this.#settledWith(token)
    }

    return this.#fetchToken(options ?? {})
  }

  /**
   * One resolved promise per cached token, handed to every caller while it is current: a
   * settled promise cannot change, and this spares the cached path the promise an async
   * function makes on each call.
   */
  #settledWith(token: LoyalToken): Promise<LoyalToken> {
    if (this.#settled?.token !== token) {
      this.#settled = { token, promise: Promise.resolve(token) }
    }

    return this.#settled.promise
  }

  async #fetchToken(options: GetTokenOptions): Promise<LoyalToken> {
    this.#assertOpen()

    // A forced refresh is the caller's way to try a refused key again at once.
    if (options.forceRefresh === true) this.#refusedKey.clear()

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
    await this.#forget(value)
  }

  /**
   * The 401 rule. Call it with the token a request carried when the API answered 401: if that
   * token is still the current one it is dropped, from the store too (so other processes do not
   * pick it up, even if the new fetch fails), and a new one fetched (one request for all
   * concurrent callers); if a newer token is already cached, that one is returned at once.
   * `options.signal` ends this caller's wait, as with {@link getToken}.
   *
   * @example
   * if (response.status === 401) token = await auth.tokenAfterUnauthorized(token)
   */
  async tokenAfterUnauthorized(
    sent: LoyalToken | string,
    options: TokenWaitOptions = {}
  ): Promise<LoyalToken> {
    this.#assertOpen()

    const value = tokenValue(sent)
    const current = this.#entry
    if (current !== undefined && current.token.value !== value) {
      if (isUsable(current, this.#options.now())) return current.token
    }

    // Only the caller that drops the current token cleans the store: one delete per 401 burst.
    if (this.#drop(value)) void this.#forget(value)

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
   * included, are returned as they are. `init.signal` also ends this request's wait for a
   * token (a `timeout` LoyalError), not the token request the other callers share.
   *
   * `pathOrUrl` may also be a `Request`: its URL, method, headers, body (read into bytes, so it
   * can be replayed), redirect mode and signal are used, and fields of `init` win. Anything that
   * is not a string, `URL` or `Request` rejects with a `config` LoyalError.
   *
   * @throws LoyalError `unauthorized` when the replay is refused too, or any `getToken` error.
   * @example
   * const rollups = await (await auth.fetch('/empower/rollups?offset=0&limit=50')).json()
   */
  fetch(pathOrUrl: FetchInput, init?: RequestInit | null): Promise<Response> {
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
      // A URL is only read here, so it needs no defensive copy (no second parse).
      return isSameOrigin(url instanceof URL ? url : this.resolveUrl(url), this.#origin)
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
   * without revealing it. While a usable token is cached, it names the key that token was
   * fetched with, so a key that changes (an `apiKey` function that rotates or picks per tenant)
   * changes the fingerprint together with the bearer, and the key function is not called.
   */
  fingerprint(): Promise<string> {
    const token = this.peekToken()
    const ofToken = token === undefined ? undefined : this.#fingerprints.get(token)

    return ofToken ?? this.#currentFingerprint()
  }

  async #currentFingerprint(): Promise<string> {
    return credentialFingerprint(this.baseUrl, await this.#sharedApiKey())
  }

  /** `text` with the API key, every token this instance has seen, and any JWT replaced. */
  redact(text: string): string {
    return redactSecrets(text, [...this.#apiKeys, ...this.#tokens])
  }

  /** Stops timers and aborts a token request in progress. Later calls reject with `config`. */
  async close(): Promise<void> {
    if (this.#closed) return

    this.#closed = true
    this.#schedule.clear()
    this.#entry = undefined
    this.#closing.abort(new LoyalError('config', 'LoyalAuth was closed'))

    await this.#flight?.promise.catch(() => {})
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close()
  }

  // What `fetch` needs of us, bound once.
  readonly #fetchHost = {
    fetch: (url: URL, init: RequestInit) => this.#options.fetch(url.href, init),
    resolveUrl: (url: string | URL) => this.resolveUrl(url),
    isApiUrl: (url: URL) => isSameOrigin(url, this.#origin),
    peekToken: () => this.peekToken(),
    getToken: (options?: TokenWaitOptions) => this.getToken(options),
    tokenAfterUnauthorized: (sent: LoyalToken, options?: TokenWaitOptions) =>
      this.tokenAfterUnauthorized(sent, options),
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

    if (!background) this.#cooldown.failFast(this.#options.now())

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
    let sentKey: string | undefined

    try {
      await this.#forgetting
      const apiKey = await this.#apiKey(() => flight.waiters > 0)
      this.#refusedKey.failFast(apiKey, this.#options.now())

      sentKey = apiKey
      const { entry, attempts } = await this.#source.acquire({
        apiKey,
        isRefused: (token) => flight.refused.has(token) || this.#invalidated.has(token),
        current: () => this.#entry,
        keepAlive: () => flight.waiters > 0,
      })
      if (attempts > 0) this.#reportFetched(entry, attempts)
      this.#fingerprints.set(entry.token, this.#source.storeKeyFor(apiKey))

      return this.#commit(entry, flight.seq)
    } catch (error) {
      throw this.#noteFailure(error, flight, sentKey)
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
    addBounded(this.#tokens, entry.token.value, rememberedTokens)
    this.#cooldown.reset()

    const inMs = this.#schedule.planRefresh(entry, this.#options.now())
    this.#log('debug', 'refresh-scheduled', {
      inMs: Math.round(inMs),
      expiresAt: entry.token.expiresAt,
    })

    return entry
  }

  /** Refuses `value` from now on and uncaches it; true when it was the cached token. */
  #drop(value: string): boolean {
    addBounded(this.#invalidated, value, rememberedTokens)
    if (this.#entry?.token.value !== value) return false

    this.#entry = undefined
    this.#schedule.clear()

    return true
  }

  /**
   * Deletes `value` from the store if the record there still holds it (a newer token written
   * meanwhile survives). Flights started later wait for it, so our own new token is never
   * written between the store's read and its delete. Never rejects.
   */
  #forget(value: string): Promise<void> {
    const forgotten = this.#forgetting.then(async () => {
      const key = this.#source.lastStoreKey ?? this.#currentStoreKey()
      const resolved = await key.catch(() => undefined)
      if (resolved !== undefined) await this.#store.deleteIfHolds(resolved, value)
    })
    this.#forgetting = forgotten.catch(() => {})

    return this.#forgetting
  }

  #reportFetched(entry: CachedToken, attempts: number): void {
    const { token } = entry
    addBounded(this.#tokens, token.value, rememberedTokens)
    // The endpoint may hand out the same token again: it is current once more.
    this.#invalidated.delete(token.value)

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

  /**
   * Normalises a flight's error, counts it toward the cooldown (or, for a refused `sentKey`,
   * starts that key's cooldown), plans a background retry.
   */
  #noteFailure(raw: unknown, flight: Flight, sentKey: string | undefined): unknown {
    if (this.#closed) return raw

    const error = isLoyalError(raw)
      ? raw
      : new LoyalError('token_endpoint_unavailable', 'Token request failed', { cause: raw })
    const now = this.#options.now()

    if (error.code === 'timeout' || error.code === 'token_endpoint_unavailable') {
      const waitMs = this.#cooldown.noteFailure(error, now)
      const fields = { code: error.code, upstreamStatus: error.upstreamStatus, waitMs }
      if (waitMs !== undefined) this.#log('warn', 'token-endpoint-cooldown', fields)
    }

    if (error.code === 'invalid_api_key' && sentKey !== undefined) {
      const waitMs = this.#refusedKey.noteRefusal(sentKey, error, now)
      if (waitMs !== undefined) this.#log('warn', 'api-key-refused-cooldown', { waitMs })
    }

    const entry = this.#entry
    if (flight.background || (entry !== undefined && isUsable(entry, now))) {
      this.#retryInBackground(error, flight.background)
    }

    return error
  }

  #refreshInBackground(): void {
    if (this.#closed || this.#flight !== undefined) return

    const now = this.#options.now()
    if (this.#schedule.isHeldBack(now) || now < this.#cooldown.until) return

    // A cold or spent cache is filled by the callers who need it, not ahead of time.
    const entry = this.#entry
    if (entry === undefined || !isUsable(entry, now)) return

    this.#joinOrStartFlight(entry.token.value, true)
  }

  /** Plans the next background attempt; reports failures of background refreshes. */
  #retryInBackground(error: LoyalError, report: boolean): void {
    const now = this.#options.now()
    const notBefore = Math.max(now + (error.retryAfter ?? 0), this.#cooldown.until)
    const { attempt, retryInMs } = this.#schedule.planRetry(this.#entry, now, notBefore)
    if (!report) return

    const fields = { code: error.code, upstreamStatus: error.upstreamStatus, attempt, retryInMs }
    this.#log('warn', 'refresh-failed', fields)
    this.#runHooks('refreshFailed', this.#options.hooks.refreshFailed, {
      error,
      attempt,
      retryInMs,
    })
  }

  // ---- small helpers -----------------------------------------------------------------

  /**
   * The key for callers outside a token request (fingerprint, store key): concurrent ones share
   * one lookup, so a burst of first requests calls the `apiKey` function once.
   */
  #sharedApiKey(): Promise<string> {
    this.#keyLookup ??= this.#apiKey().finally(() => {
      this.#keyLookup = undefined
    })

    return this.#keyLookup
  }

  /** The key, from the option or its function, within the token request's time limits. */
  async #apiKey(keepAlive: () => boolean = () => true): Promise<string> {
    const options = this.#options
    const apiKey = await lookUpApiKey({
      apiKey: options.apiKey,
      timeoutMs: options.timeoutDuration,
      policy: options.retry,
      keepAlive,
      signal: this.#closing.signal,
      redact: (text) => this.redact(text),
    })

    this.#apiKeys.add(apiKey)

    return apiKey
  }

  async #currentStoreKey(): Promise<string> {
    return this.#source.storeKeyFor(await this.#sharedApiKey())
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
    const stopWaiting = onAbort(signal, () => reject(aborted()))
    flight.promise.then(resolve, reject).finally(stopWaiting)
  })
}
