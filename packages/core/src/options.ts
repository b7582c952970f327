import { asWebFetch, type LoyalFetch, type LoyalFetchInit } from './fetch-option.js'
import type { Logger } from './logger.js'
import { LoyalError } from './loyal-error.js'
import type { LoyalToken } from './loyal-token.js'
import { MemoryTokenStore } from './memory-token-store.js'
import { normalizeBaseUrl } from './origin.js'
import { type EncryptionKeyOption, parseEncryptionKeys } from './record-encryption.js'
import type { TokenStore } from './token-store.js'

/** State passed to `hooks.tokenFetched`: one object, so fields can be added later. */
export interface TokenFetchedState {
  token: LoyalToken
  /** Attempts the fetch took, 1 when the first one succeeded. */
  attempts: number
}

/** State passed to `hooks.refreshFailed` when a background refresh ahead of expiry fails. */
export interface RefreshFailedState {
  error: LoyalError
  /** 1 for the first failed background refresh of the current token, then 2, 3, … */
  attempt: number
  /** When the next background attempt runs; absent when the token's life is over first. */
  retryInMs?: number
}

export interface LoyalAuthHooks {
  tokenFetched?: Array<(state: TokenFetchedState) => void>
  refreshFailed?: Array<(state: RefreshFailedState) => void>
}

export interface RetryOptions {
  /** Attempts per token fetch, the first included. Default `3`. */
  attempts?: number
  /** Base of the exponential backoff in ms; each wait is random in [0, base·2ⁿ). Default `250`. */
  baseDelay?: number
  /** Upper bound of one backoff wait in ms. Default `5_000`. */
  maxDelay?: number
  /** Total time one fetch may take, all attempts and waits included, in ms. Default `30_000`. */
  deadline?: number
}

export interface LoyalAuthOptions {
  /**
   * The Loyal API key, or a function returning it (for secret managers), called for each token
   * request. Required. A function gets the token request's limits: a call that takes longer than
   * `timeoutDuration` fails with `timeout`, one that throws or rejects with
   * `token_endpoint_unavailable` (its message redacted); both are retried within `retry`. A
   * returned key that is empty or not visible ASCII is a `config` error, not retried.
   */
  apiKey: string | (() => string | Promise<string>)
  /** Default `'https://api.loyalhealth.com'`. Plain `http:` is accepted for loopback only. */
  baseUrl?: string
  /** Default `'/auth/client/token'`. A path: one leading `/`, no query, fragment or `\`. */
  tokenPath?: string
  /** Where tokens are kept between fetches. Default: a new `MemoryTokenStore`. */
  store?: TokenStore
  /**
   * Key(s) that encrypt records of a persistent store; required for such a store. Must not be
   * the API key itself.
   */
  encryptionKey?: string | Uint8Array | Array<string | Uint8Array>
  /**
   * Used for the token request and `auth.fetch`, called with the URL as a string. Default: the
   * global `fetch`; undici's and node-fetch (2 and 3) fit too.
   */
  fetch?: LoyalFetch
  /** Clock in ms since the epoch, for tests. Default `Date.now`. */
  now?: () => number
  /** pino-compatible logger. Silent by default; routine events are `debug`. */
  logger?: Logger
  /** A token's usable life ends this many ms before it expires. Default `30_000`. */
  skewDuration?: number
  /** Time limit of one token request attempt in ms. Default `10_000`. */
  timeoutDuration?: number
  /** Fractions of the usable life between which the background refresh runs. Default `[0.75, 0.83]`. */
  refreshWindow?: readonly [number, number]
  retry?: RetryOptions
  /**
   * How long, in ms, the token endpoint is left alone after repeated failed fetches (or for as
   * long as its `Retry-After` asked); callers then fail fast with the last error. Also how long a
   * key the endpoint refused (`invalid_api_key`) is not sent again: callers fail fast with that
   * error, unless they call `getToken({ forceRefresh: true })` or the `apiKey` function returns
   * another key. Default `30_000`; `0` turns both off.
   */
  cooldownDuration?: number
  hooks?: LoyalAuthHooks
}

/** Options after validation, with every default filled in. */
export interface ResolvedOptions {
  apiKey: () => Promise<string>
  baseUrl: string
  tokenPath: string
  store: TokenStore
  encryptionKey: EncryptionKeyOption | undefined
  fetch: (url: string, init: RequestInit) => Promise<Response>
  now: () => number
  logger: Logger | undefined
  skewDuration: number
  timeoutDuration: number
  refreshWindow: readonly [number, number]
  retry: Required<RetryOptions>
  cooldownDuration: number
  hooks: Required<LoyalAuthHooks>
}

export const defaults = {
  baseUrl: 'https://api.loyalhealth.com',
  tokenPath: '/auth/client/token',
  skewDuration: 30_000,
  timeoutDuration: 10_000,
  refreshWindow: [0.75, 0.83] as const,
  retry: { attempts: 3, baseDelay: 250, maxDelay: 5_000, deadline: 30_000 },
  cooldownDuration: 30_000,
} as const

function configError(option: string, requirement: string): LoyalError {
  return new LoyalError('config', `"${option}" ${requirement}`)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null
}

/** A finite number of ms within bounds; never coerced, so `"30"` is refused rather than read. */
function duration(option: string, value: unknown, fallback: number, min = 0): number {
  if (value === undefined) return fallback

  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    const bound = min === 0 ? 'a non-negative' : `a >= ${min}`
    throw configError(option, `must be ${bound} finite number of milliseconds`)
  }

  return value
}

/** Header-safe visible ASCII; the value itself never appears in the error. */
export function checkApiKey(value: unknown): string {
  if (typeof value !== 'string' || !/^[\x21-\x7e]+$/.test(value)) {
    throw configError('apiKey', 'must be a non-empty string of visible ASCII characters')
  }

  return value
}

function resolveApiKey(value: unknown): () => Promise<string> {
  if (typeof value === 'function') {
    return async () => checkApiKey(await value())
  }

  const key = checkApiKey(value)

  return () => Promise.resolve(key)
}

function resolveTokenPath(value: unknown): string {
  if (value === undefined) return defaults.tokenPath

  // One leading "/" only: "//host" reads as another host to URL parsers; no "\" either, which
  // WHATWG URLs read as "/".
  if (typeof value !== 'string' || !/^\/(?![/\\])[^?#\s\\]*$/.test(value)) {
    throw configError(
      'tokenPath',
      'must be a path starting with a single "/", without query, fragment or backslash'
    )
  }

  return value
}

function resolveStore(value: unknown): TokenStore {
  if (value === undefined) return new MemoryTokenStore()

  const methods = ['get', 'set', 'delete'] as const
  if (!isRecord(value) || methods.some((name) => typeof value[name] !== 'function')) {
    throw configError('store', 'must implement get, set and delete')
  }

  return value as unknown as TokenStore
}

function resolveEncryptionKey(value: unknown, apiKey: unknown): EncryptionKeyOption | undefined {
  if (value === undefined) return undefined

  // A store record sealed with the API key is readable by anyone who holds the key.
  const keys: unknown[] = Array.isArray(value) ? value : [value]
  if (typeof apiKey === 'string' && keys.some((key) => key === apiKey)) {
    throw configError('encryptionKey', 'must not be the API key')
  }

  // Checked now, so a bad key fails at start-up and not at the first store write.
  parseEncryptionKeys(value as EncryptionKeyOption)

  return value as EncryptionKeyOption
}

function resolveFunction<T>(option: string, value: unknown, fallback: T): T {
  if (value === undefined) return fallback
  if (typeof value !== 'function') throw configError(option, 'must be a function')

  return value as T
}

function resolveLogger(value: unknown): Logger | undefined {
  if (value === undefined) return undefined

  const methods = ['debug', 'info', 'warn', 'error'] as const
  if (!isRecord(value) || methods.some((name) => typeof value[name] !== 'function')) {
    throw configError('logger', 'must have debug, info, warn and error methods')
  }

  return value as unknown as Logger
}

function resolveRefreshWindow(value: unknown): readonly [number, number] {
  if (value === undefined) return defaults.refreshWindow

  const fraction = (x: unknown) => typeof x === 'number' && Number.isFinite(x) && x > 0 && x <= 1
  if (!Array.isArray(value) || value.length !== 2 || !value.every(fraction)) {
    throw configError('refreshWindow', 'must be two fractions in (0, 1]')
  }

  const [from, to] = value as [number, number]
  if (from > to) throw configError('refreshWindow', 'must be ordered [from, to]')

  return [from, to]
}

function resolveRetry(value: unknown): Required<RetryOptions> {
  if (value === undefined) return { ...defaults.retry }
  if (!isRecord(value)) throw configError('retry', 'must be an object')

  const attempts = value.attempts ?? defaults.retry.attempts
  if (typeof attempts !== 'number' || !Number.isInteger(attempts) || attempts < 1) {
    throw configError('retry.attempts', 'must be an integer >= 1')
  }

  const baseDelay = duration('retry.baseDelay', value.baseDelay, defaults.retry.baseDelay)
  const maxDelay = duration('retry.maxDelay', value.maxDelay, defaults.retry.maxDelay)
  const deadline = duration('retry.deadline', value.deadline, defaults.retry.deadline, 1)

  return { attempts, baseDelay, maxDelay: Math.max(maxDelay, baseDelay), deadline }
}

function resolveHooks(value: unknown): Required<LoyalAuthHooks> {
  if (value === undefined) return { tokenFetched: [], refreshFailed: [] }
  if (!isRecord(value)) throw configError('hooks', 'must be an object')

  const list = <T>(name: string, hooks: unknown): T[] => {
    if (hooks === undefined) return []
    if (!Array.isArray(hooks) || !hooks.every((hook) => typeof hook === 'function')) {
      throw configError(`hooks.${name}`, 'must be an array of functions')
    }

    return [...hooks]
  }

  return {
    tokenFetched: list('tokenFetched', value.tokenFetched),
    refreshFailed: list('refreshFailed', value.refreshFailed),
  }
}

/**
 * Checks every option once, at construction, and fills in the defaults.
 *
 * @throws LoyalError `config`, naming the option in quotes (never quoting its value).
 */
export function resolveOptions(options: LoyalAuthOptions): ResolvedOptions {
  if (!isRecord(options)) throw configError('options', 'must be an object')

  if (options.apiKey === undefined) throw configError('apiKey', 'is required')

  const store = resolveStore(options.store)
  const encryptionKey = resolveEncryptionKey(options.encryptionKey, options.apiKey)
  if (store.persistent && encryptionKey === undefined) {
    throw configError('encryptionKey', 'is required with a persistent store')
  }

  return {
    apiKey: resolveApiKey(options.apiKey),
    baseUrl: normalizeBaseUrl(options.baseUrl ?? defaults.baseUrl),
    tokenPath: resolveTokenPath(options.tokenPath),
    store,
    encryptionKey,
    fetch: asWebFetch(
      resolveFunction('fetch', options.fetch, (url: string, init?: LoyalFetchInit) =>
        globalThis.fetch(url, init)
      )
    ),
    now: resolveFunction('now', options.now, () => Date.now()),
    logger: resolveLogger(options.logger),
    skewDuration: duration('skewDuration', options.skewDuration, defaults.skewDuration),
    timeoutDuration: duration(
      'timeoutDuration',
      options.timeoutDuration,
      defaults.timeoutDuration,
      1
    ),
    refreshWindow: resolveRefreshWindow(options.refreshWindow),
    retry: resolveRetry(options.retry),
    cooldownDuration: duration(
      'cooldownDuration',
      options.cooldownDuration,
      defaults.cooldownDuration
    ),
    hooks: resolveHooks(options.hooks),
  }
}
