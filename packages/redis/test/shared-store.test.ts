import { randomBytes, randomUUID } from 'node:crypto'
import { once } from 'node:events'

import { type Logger, LoyalAuth, type LoyalAuthOptions } from '@loyal-auth/core'
import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest'

import { RedisTokenStore } from '../src/index.js'
import { startRedisServer } from './helpers/redis-server.js'

const client = new Redis(inject('redisUrl'), { enableOfflineQueue: false })
const encryptionKey = randomBytes(32).toString('base64')
const day = 24 * 60 * 60 * 1000

let api: LoyalApi
let prefix: string
const opened: LoyalAuth[] = []

beforeAll(async () => {
  api = await startLoyalApi()
})

beforeEach(() => {
  api.reset()
  prefix = `shared-${randomUUID()}`
})

afterEach(async () => {
  await Promise.all(opened.splice(0).map((auth) => auth.close()))
})

afterAll(async () => {
  await api.close()
  client.disconnect()
})

function newAuth(options: Partial<LoyalAuthOptions> = {}): LoyalAuth {
  const auth = new LoyalAuth({
    apiKey: api.apiKey,
    baseUrl: api.url,
    store: new RedisTokenStore({ client, prefix }),
    encryptionKey,
    ...options,
  })
  opened.push(auth)

  return auth
}

function recordingLogger(): Logger & { events: string[] } {
  const events: string[] = []
  const record = (fields: object) => events.push(String((fields as { event: unknown }).event))

  return { events, debug: () => undefined, info: () => undefined, warn: record, error: record }
}

/** Every key under the test's prefix, with whatever it holds, as text. */
async function dumpRedis(): Promise<Array<{ key: string; value: string }>> {
  const keys: string[] = []
  for await (const batch of client.scanStream({ match: `${prefix}:*` })) keys.push(...batch)

  return Promise.all(
    keys.map(async (key) => {
      const type = await client.type(key)
      const value = type === 'hash' ? await client.hgetall(key) : await client.get(key)

      return { key, value: JSON.stringify(value) }
    })
  )
}

function jwtParts(token: string): string[] {
  return [token, ...token.split('.')]
}

describe('LoyalAuth on a RedisTokenStore', () => {
  it('requires an encryptionKey, since records leave the process', () => {
    const construct = () =>
      new LoyalAuth({
        apiKey: api.apiKey,
        baseUrl: api.url,
        store: new RedisTokenStore({ client }),
      })

    expect(construct).toThrow(expect.objectContaining({ code: 'config' }))
    expect(construct).toThrow(/encryptionKey/)
  })

  it('C11: keeps an exp-less token 24 h from its fetch, also after a round trip', async () => {
    api.configure({ expFormat: 'none' })
    const before = Date.now()
    const first = await newAuth().getToken()
    const after = Date.now()

    await newAuth().getToken()
    const second = await newAuth().getToken()

    expect(api.counters.tokenRequests).toBe(1)
    expect(second.value).toBe(first.value)
    expect(second.claims.exp).toBeUndefined()
    expect(second.expiresAt.getTime()).toBe(first.expiresAt.getTime())
    // Fetch time on the API's clock, which the one-second `Date` header knows to within 1 s.
    expect(second.expiresAt.getTime()).toBeGreaterThanOrEqual(before + day - 1_000)
    expect(second.expiresAt.getTime()).toBeLessThanOrEqual(after + day + 1_000)
  })

  it('C19: two keys, both cold: each its own token, keys are hashes, nothing in clear', async () => {
    const tenant = api.addClient({ apiKey: `loyal_test_${randomUUID()}`, clientName: 'Tenant B' })
    const first = newAuth()
    const second = newAuth({ apiKey: tenant.apiKey })

    const [tokenA, tokenB] = await Promise.all([first.getToken(), second.getToken()])

    expect(api.counters.tokenRequests).toBe(2)
    expect(tokenA.clientId).toBe(api.client.clientId)
    expect(tokenB.clientId).toBe(tenant.clientId)

    const fingerprints = [await first.fingerprint(), await second.fingerprint()]
    const entries = await dumpRedis()
    expect(entries.length).toBeGreaterThanOrEqual(2)

    const secrets = [api.apiKey, tenant.apiKey, encryptionKey, ...jwtParts(tokenA.value)]
    secrets.push(...jwtParts(tokenB.value), tenant.clientName, api.client.clientName)
    for (const { key, value } of entries) {
      expect(fingerprints.some((fingerprint) => key.includes(`{${fingerprint}}`))).toBe(true)
      for (const secret of secrets) {
        expect(key).not.toContain(secret)
        expect(value).not.toContain(secret)
      }
    }
  })

  it('C19: never hands one credential a record copied from another', async () => {
    const tenant = api.addClient({ apiKey: `loyal_test_${randomUUID()}` })
    const first = newAuth()
    await first.getToken()

    // Someone with write access to Redis copies A's record under B's key.
    const logger = recordingLogger()
    const second = newAuth({ apiKey: tenant.apiKey, logger })
    const recordOf = async (auth: LoyalAuth) => `${prefix}:{${await auth.fingerprint()}}`
    await client.copy(await recordOf(first), await recordOf(second))

    const token = await second.getToken()
    expect(token.clientId).toBe(tenant.clientId)
    expect(logger.events).toContain('store-record-unreadable')
    expect(api.counters.tokenRequests).toBe(2)
  })

  it('treats a tampered record as a miss: warns, fetches anew, overwrites it', async () => {
    const first = await newAuth().getToken()
    const recordKey = `${prefix}:{${await newAuth().fingerprint()}}`
    const stored = (await client.hget(recordKey, 'record'))!
    const parts = stored.split('.')
    parts[3] = `${parts[3]![0] === 'A' ? 'B' : 'A'}${parts[3]!.slice(1)}`
    await client.hset(recordKey, 'record', parts.join('.'))

    const logger = recordingLogger()
    const second = await newAuth({ logger }).getToken()

    expect(logger.events).toContain('store-record-unreadable')
    expect(api.counters.tokenRequests).toBe(2)
    expect(second.value).not.toBe(first.value)

    const overwritten = await client.hget(recordKey, 'record')
    expect(overwritten).not.toBe(parts.join('.'))
    expect((await newAuth().getToken()).value).toBe(second.value)
    expect(api.counters.tokenRequests).toBe(2)
    expect(JSON.stringify(logger.events)).not.toContain(second.value)
  })

  it('rotates keys: the new key reads old records and writes new ones', async () => {
    const newKey = randomBytes(32).toString('hex')
    const recordKey = `${prefix}:{${await newAuth().fingerprint()}}`

    const old = await newAuth().getToken()
    const rotating = newAuth({ encryptionKey: [newKey, encryptionKey] })
    expect((await rotating.getToken()).value).toBe(old.value)
    expect(api.counters.tokenRequests).toBe(1)

    const renewed = await rotating.getToken({ forceRefresh: true })
    const header = JSON.parse(
      Buffer.from((await client.hget(recordKey, 'record'))!.split('.')[0]!, 'base64url').toString()
    )
    expect(header).toMatchObject({ alg: 'dir', enc: 'A256GCM' })

    // Only the new key from now on: the rewritten record still opens; the old key's do not.
    const rotated = newAuth({ encryptionKey: newKey })
    expect((await rotated.getToken()).value).toBe(renewed.value)
    expect(api.counters.tokenRequests).toBe(2)

    const logger = recordingLogger()
    const stale = newAuth({ encryptionKey, logger })
    expect((await stale.getToken()).value).not.toBe(renewed.value)
    expect(logger.events).toContain('store-record-unreadable')
  })
})

describe('LoyalAuth on a RedisTokenStore, with Redis away', () => {
  it('serves calls with a direct fetch and a warning while Redis is stalled or stopped', async () => {
    const server = await startRedisServer()
    const own = new Redis(server.url, { enableOfflineQueue: false, retryStrategy: () => 50 })
    own.on('error', () => undefined)
    const blocker = new Redis(server.url)
    const logger = recordingLogger()
    const store = new RedisTokenStore({ client: own, prefix, commandTimeout: 200 })
    const auth = newAuth({ store, logger })

    try {
      if (own.status !== 'ready') await once(own, 'ready')
      // Stalled: every command of every client held for 2 s.
      await blocker.client('PAUSE', 2_000, 'ALL')
      expect((await auth.fetch('/empower/rollups/1')).status).toBe(200)
      expect(logger.events).toContain('store-unavailable')

      // Stopped: the token is dropped and fetched again, still without Redis.
      blocker.disconnect()
      await server.stop()
      await auth.invalidate()
      expect((await auth.fetch('/empower/rollups/1')).status).toBe(200)
      expect(api.counters.tokenRequests).toBe(2)
    } finally {
      own.disconnect()
      blocker.disconnect()
      await server.stop()
    }
  })
})
