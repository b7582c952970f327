import { randomUUID } from 'node:crypto'

import { Redis } from 'ioredis'
import { afterAll, afterEach, describe, expect, inject, it } from 'vitest'

import { RedisTokenStore } from '../src/index.js'
import { startRedisServer } from './helpers/redis-server.js'

const client = new Redis(inject('redisUrl'), { enableOfflineQueue: false, maxRetriesPerRequest: 1 })
const key = 'a'.repeat(64)
const stores: RedisTokenStore[] = []

function newStore(options: { prefix?: string; lockTtl?: number } = {}): RedisTokenStore {
  const store = new RedisTokenStore({ client, prefix: `t-${randomUUID()}`, ...options })
  stores.push(store)

  return store
}

afterEach(() => {
  stores.length = 0
})

afterAll(async () => {
  client.disconnect()
})

describe('RedisTokenStore', () => {
  it('keeps records under prefix:{key} with the ttl it was given', async () => {
    const store = newStore()

    await store.set(key, 'record-1', 60_000)

    expect(await store.get(key)).toBe('record-1')
    const ttl = await client.pttl(`${store.prefix}:{${key}}`)
    expect(ttl).toBeGreaterThan(50_000)
    expect(ttl).toBeLessThanOrEqual(60_000)

    await store.delete(key)
    expect(await store.get(key)).toBeUndefined()
  })

  it('is persistent, so LoyalAuth encrypts what it writes', () => {
    expect(newStore().persistent).toBe(true)
  })

  it('refuses a bad client, prefix or lockTtl with a config error', () => {
    const bad = [
      () => new RedisTokenStore({ client: {} as never }),
      () => new RedisTokenStore({ client, prefix: 'a{b}' }),
      () => new RedisTokenStore({ client, lockTtl: Number.NaN }),
      () => new RedisTokenStore({ client, lockTtl: -1 }),
    ]

    for (const construct of bad)
      expect(construct).toThrow(expect.objectContaining({ code: 'config' }))
  })
})

describe('RedisTokenStore.lock', () => {
  it('grants the lock to one holder at a time', async () => {
    const prefix = `t-${randomUUID()}`
    const first = newStore({ prefix })
    const second = newStore({ prefix, lockTtl: 200 })

    const held = await first.lock(key, 5_000)
    expect(held).toBeDefined()

    // The second waits for at most ttlMs + lockTtl, then gives up without the lock.
    expect(await second.lock(key, 100)).toBeUndefined()

    await held!.release()
    const next = await second.lock(key, 100)
    expect(next).toBeDefined()
    await next!.release()
  })

  it('is released only by its owner (compare-and-delete)', async () => {
    const prefix = `t-${randomUUID()}`
    const first = newStore({ prefix, lockTtl: 100 })
    const second = newStore({ prefix, lockTtl: 5_000 })

    const stale = await first.lock(key, 0) // renewed for 0 ms: lapses after 100 ms
    const current = await second.lock(key, 5_000)
    expect(current).toBeDefined()

    await stale!.release()
    expect(await client.get(`${prefix}:{${key}}:lock`)).not.toBeNull()

    await current!.release()
    expect(await client.get(`${prefix}:{${key}}:lock`)).toBeNull()
  })

  it('renews the lock while held, up to ttlMs', async () => {
    const store = newStore({ lockTtl: 150 })

    const held = await store.lock(key, 10_000)
    await delay(500)

    expect(await client.get(`${store.prefix}:{${key}}:lock`)).not.toBeNull()
    await held!.release()
  })

  it('hands waiters over as soon as the holder has written a record', async () => {
    const prefix = `t-${randomUUID()}`
    const holder = newStore({ prefix })
    const waiter = newStore({ prefix })

    const held = await holder.lock(key, 10_000)
    const waiting = waiter.lock(key, 10_000)
    await delay(60)

    await holder.set(key, 'fresh', 60_000)
    // Undefined: no lock, but the record is there to read; the holder still holds the lock.
    expect(await waiting).toBeUndefined()
    expect(await waiter.get(key)).toBe('fresh')

    await held!.release()
  })

  it('keeps a waiter waiting for the lock when the record vanishes meanwhile', async () => {
    const prefix = `t-${randomUUID()}`
    const holder = newStore({ prefix })
    const waiter = newStore({ prefix })
    await holder.set(key, 'old', 60_000)

    const held = await holder.lock(key, 10_000)
    const waiting = waiter.lock(key, 10_000)
    await delay(60)
    await holder.delete(key)
    await delay(60)
    await held!.release()

    const next = await waiting
    expect(next).toBeDefined()
    await next!.release()
  })

  it('never lets a late write from a lapsed holder replace a newer record', async () => {
    const prefix = `t-${randomUUID()}`
    const slow = newStore({ prefix, lockTtl: 100 })
    const fast = newStore({ prefix, lockTtl: 5_000 })

    const lapsed = await slow.lock(key, 0)
    const current = await fast.lock(key, 5_000)
    await fast.set(key, 'newer', 60_000)
    await current!.release()

    await slow.set(key, 'late', 120_000)
    expect(await fast.get(key)).toBe('newer')

    await lapsed!.release()
  })

  it('lets a write without the lock replace only a record that dies sooner', async () => {
    const store = newStore()

    await store.set(key, 'long', 60_000)
    await store.set(key, 'short', 1_000)
    expect(await store.get(key)).toBe('long')

    await store.set(key, 'longer', 120_000)
    expect(await store.get(key)).toBe('longer')
  })
})

describe('RedisTokenStore with Redis away', () => {
  it('fails fast with a store error, then works again once Redis is back', async () => {
    const server = await startRedisServer()
    const own = new Redis(server.url, {
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
      retryStrategy: () => 50,
    })
    const store = new RedisTokenStore({ client: own, commandTimeout: 300 })

    try {
      await store.set(key, 'before', 60_000)
      await server.stop()

      await expect(store.get(key)).rejects.toMatchObject({ code: 'store' })
      await expect(store.lock(key, 1_000)).rejects.toMatchObject({ code: 'store' })

      await server.start()
      await waitFor(() => own.status === 'ready')
      await store.set(key, 'after', 60_000)
      expect(await store.get(key)).toBe('after')
    } finally {
      own.disconnect()
      await server.stop()
    }
  })

  it('gives up on a slow command after commandTimeout', async () => {
    const server = await startRedisServer()
    const own = new Redis(server.url, { maxRetriesPerRequest: 1 })
    const blocker = new Redis(server.url)
    const store = new RedisTokenStore({ client: own, commandTimeout: 200 })

    try {
      await own.ping()
      // Holds every client's commands for a second, as a saturated Redis would.
      await blocker.client('PAUSE', 1_000, 'ALL')

      await expect(store.get(key)).rejects.toMatchObject({ code: 'store' })
    } finally {
      own.disconnect()
      blocker.disconnect()
      await server.stop()
    }
  })
})

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

async function waitFor(condition: () => boolean, timeout = 5_000): Promise<void> {
  const giveUpAt = Date.now() + timeout
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error('condition not met in time')
    await delay(20)
  }
}
