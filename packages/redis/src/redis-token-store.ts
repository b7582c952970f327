import { randomUUID } from 'node:crypto'

import { LoyalError, type TokenStore, type TokenStoreLock } from '@loyal-auth/core'

import {
  acquireScript,
  fenceLifetime,
  releaseScript,
  renewScript,
  writeScript,
} from './lua-scripts.js'

/**
 * The part of a Redis client the store uses. An ioredis `Redis` or `Cluster` instance fits;
 * so does anything else with the same calls.
 */
export interface RedisClient {
  /** ioredis connection state: commands are sent only once it is `ready`. */
  readonly status: string
  once(event: 'ready', listener: () => void): unknown
  off(event: 'ready', listener: () => void): unknown
  connect?(): Promise<void>
  eval(script: string, numKeys: number, ...args: Array<string | number>): Promise<unknown>
  hget(key: string, field: string): Promise<string | null>
  del(...keys: string[]): Promise<number>
}

export interface RedisTokenStoreOptions {
  /** A connected ioredis client (v5 or v6). The store never closes it. */
  client: RedisClient
  /** Namespace of every key the store writes. Default `'loyal-auth'`. */
  prefix?: string
  /**
   * Life of the refresh lock in ms: how long a holder that died mid-refresh blocks the others.
   * A living holder renews it every third of this. Default `5_000`.
   */
  lockTtl?: number
  /**
   * A Redis command that takes longer than this (ms) counts as failed, so a slow Redis costs a
   * call at most this much before `LoyalAuth` goes on without it. Default `1_000`.
   */
  commandTimeout?: number
}

interface HeldLock {
  owner: string
  fence: number
}

const defaults = { prefix: 'loyal-auth', lockTtl: 5_000, commandTimeout: 1_000 }
// A client still making its first connection is waited for; one that lost its connection is not.
const connectingStatuses = new Set(['wait', 'connecting', 'connect'])
const pollDelay = 25

/**
 * A `TokenStore` in Redis, shared by every process of a fleet: one of them fetches a token per
 * refresh and the others pick it up. Records arrive encrypted by `LoyalAuth` (the store is
 * `persistent`, so an `encryptionKey` is required) under keys that are hashes of the
 * credential, namespaced `prefix:{hash}`.
 *
 * `lock()` is a Redis lock with a random owner id, renewed while held and released by
 * compare-and-delete; every acquisition gets a fence number, and a write from a holder whose
 * lock lapsed and was taken over is refused, so a late result never replaces a newer token.
 *
 * Redis being down or slow fails the store's calls quickly with a `store` error; `LoyalAuth`
 * then carries on from memory or fetches directly, and uses Redis again once it is back.
 *
 * @example
 * import Redis from 'ioredis'
 * import { RedisTokenStore } from '@loyal-auth/redis'
 *
 * const client = new Redis(process.env.REDIS_URL, { enableOfflineQueue: false })
 * const auth = new LoyalAuth({
 *   apiKey: process.env.LOYAL_API_KEY,
 *   store: new RedisTokenStore({ client }),
 *   encryptionKey: process.env.LOYAL_ENCRYPTION_KEY,
 * })
 */
export class RedisTokenStore implements TokenStore {
  readonly persistent = true
  readonly prefix: string
  readonly lockTtl: number
  readonly #client: RedisClient
  readonly #commandTimeout: number
  readonly #held = new Map<string, HeldLock>()

  constructor(options: RedisTokenStoreOptions) {
    const client = options?.client
    if (typeof client?.eval !== 'function' || typeof client.hget !== 'function') {
      throw new LoyalError('config', '"client" must be an ioredis client')
    }

    this.#client = client
    this.prefix = checkPrefix(options.prefix)
    this.lockTtl = checkDuration('lockTtl', options.lockTtl, defaults.lockTtl)
    this.#commandTimeout = checkDuration(
      'commandTimeout',
      options.commandTimeout,
      defaults.commandTimeout
    )
  }

  async get(key: string): Promise<string | undefined> {
    const record = await this.#run('read', () => this.#client.hget(this.#recordKey(key), 'record'))

    return record ?? undefined
  }

  async set(key: string, record: string, ttlMs: number): Promise<void> {
    const ttl = Math.max(1, Math.ceil(ttlMs))
    const fence = this.#held.get(key)?.fence ?? 0

    await this.#run('write', () =>
      this.#client.eval(
        writeScript,
        2,
        this.#recordKey(key),
        this.#fenceKey(key),
        record,
        ttl,
        fence
      )
    )
  }

  async delete(key: string): Promise<void> {
    await this.#run('delete', () => this.#client.del(this.#recordKey(key)))
  }

  /**
   * Takes the refresh lock of `key`, waiting while another process holds it. Resolves to
   * `undefined`, without the lock, as soon as the holder has written a record (read it from
   * the store) or after `ttlMs` plus the lock's life (fetch on your own). The lock is renewed
   * for at most `ttlMs`, the longest the caller may take.
   *
   * @throws LoyalError `store` when Redis is unreachable or slow.
   */
  async lock(key: string, ttlMs: number): Promise<TokenStoreLock | undefined> {
    const owner = randomUUID()
    const giveUpAt = Date.now() + Math.max(0, ttlMs) + this.lockTtl
    let seenExpiry: number | undefined

    while (Date.now() < giveUpAt) {
      const [fence, recordExpiry] = await this.#tryAcquire(key, owner)
      if (fence > 0) return this.#heldLock(key, { owner, fence }, ttlMs)

      // A record that lives longer than the one seen first was written by the holder. (One
      // that vanished, by expiry or invalidation, is no news: keep waiting for the lock.)
      seenExpiry ??= recordExpiry
      if (recordExpiry > seenExpiry) return undefined

      await delay(pollDelay + Math.random() * pollDelay)
    }

    return undefined
  }

  async #tryAcquire(key: string, owner: string): Promise<[number, number]> {
    const reply = await this.#run('lock', () =>
      this.#client.eval(
        acquireScript,
        3,
        this.#lockKey(key),
        this.#fenceKey(key),
        this.#recordKey(key),
        owner,
        this.lockTtl,
        fenceLifetime
      )
    )
    const [fence, recordExpiry] = reply as [number, number]

    return [Number(fence), Number(recordExpiry)]
  }

  #heldLock(key: string, held: HeldLock, ttlMs: number): TokenStoreLock {
    this.#held.set(key, held)
    const stopRenewingAt = Date.now() + ttlMs

    const renewal = setInterval(() => {
      if (Date.now() >= stopRenewingAt) return clearInterval(renewal)

      this.#renew(key, held.owner).then(
        (renewed) => renewed || clearInterval(renewal),
        () => undefined
      )
    }, this.lockTtl / 3)
    renewal.unref()

    return {
      release: async () => {
        clearInterval(renewal)
        if (this.#held.get(key) === held) this.#held.delete(key)

        await this.#run('unlock', () =>
          this.#client.eval(releaseScript, 1, this.#lockKey(key), held.owner)
        )
      },
    }
  }

  async #renew(key: string, owner: string): Promise<boolean> {
    const renewed = await this.#run('renew', () =>
      this.#client.eval(renewScript, 1, this.#lockKey(key), owner, this.lockTtl)
    )

    return Number(renewed) === 1
  }

  // Commands are not queued while Redis is away (whatever the client's offline queue says)
  // and are given up after `commandTimeout`: a down or slow Redis must not hold up a call.
  async #run<T>(action: string, command: () => Promise<T>): Promise<T> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const timeout = new Promise<never>((_, reject) => {
      // Rejects only after the next poll phase: when the event loop was blocked past the
      // timeout, a reply already waiting in the socket still wins over the late timer.
      const expire = () => setImmediate(() => reject(slowError(action)))
      timer = setTimeout(expire, this.#commandTimeout)
    })

    try {
      await Promise.race([this.#connected(action), timeout])

      const pending = command()
      pending.catch(() => undefined)

      return await Promise.race([pending, timeout])
    } catch (error) {
      throw error instanceof LoyalError ? error : failedError(action, error)
    } finally {
      clearTimeout(timer)
    }
  }

  async #connected(action: string): Promise<void> {
    const client = this.#client
    if (client.status === 'ready') return

    if (!connectingStatuses.has(client.status)) {
      throw new LoyalError('store', `Redis token store could not ${action}: not connected`)
    }

    // A lazy client connects on its first command, which it would refuse without a queue.
    if (client.status === 'wait') client.connect?.().catch(() => undefined)

    await new Promise<void>((resolve) => {
      const onReady = () => resolve()
      client.once('ready', onReady)
      setTimeout(() => client.off('ready', onReady), this.#commandTimeout).unref()
    })
  }

  #recordKey(key: string): string {
    return `${this.prefix}:{${key}}`
  }

  #lockKey(key: string): string {
    return `${this.prefix}:{${key}}:lock`
  }

  #fenceKey(key: string): string {
    return `${this.prefix}:{${key}}:fence`
  }
}

function checkPrefix(value: unknown): string {
  if (value === undefined) return defaults.prefix

  if (typeof value !== 'string' || value === '' || /[{}\s]/.test(value)) {
    throw new LoyalError('config', '"prefix" must be a non-empty string without braces or spaces')
  }

  return value
}

function checkDuration(option: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback

  if (typeof value !== 'number' || !Number.isFinite(value) || value < 10) {
    throw new LoyalError('config', `"${option}" must be a finite number of ms >= 10`)
  }

  return value
}

function slowError(action: string): LoyalError {
  return new LoyalError('store', `Redis token store could not ${action}: command timed out`)
}

// Redis errors carry the command name and at most our own keys (hashes), never a record.
function failedError(action: string, cause: unknown): LoyalError {
  const reason = cause instanceof Error ? cause.name : 'unknown error'
  return new LoyalError('store', `Redis token store could not ${action} (${reason})`, { cause })
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
