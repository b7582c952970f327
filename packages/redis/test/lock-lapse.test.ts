import { createHash, randomBytes, randomUUID } from 'node:crypto'

import { LoyalAuth } from '@loyal-auth/core'
import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'
import { Redis } from 'ioredis'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest'

import { RedisTokenStore } from '../src/index.js'
import { startWorker, type Worker } from './helpers/worker.js'

// C18: the lock lives 1 s; the token request takes 1.5 s (or forever).
const lockTtl = 1_000
const client = new Redis(inject('redisUrl'), { enableOfflineQueue: false })
const encryptionKey = randomBytes(32).toString('base64')

let api: LoyalApi
let prefix: string
const opened: LoyalAuth[] = []
const workers: Worker[] = []

beforeAll(async () => {
  api = await startLoyalApi()
})

beforeEach(() => {
  api.reset()
  prefix = `c18-${randomUUID()}`
})

afterEach(async () => {
  for (const worker of workers.splice(0)) worker.kill('SIGKILL')
  await Promise.all(opened.splice(0).map((auth) => auth.close()))
})

afterAll(async () => {
  await api.close()
  client.disconnect()
})

function newAuth(): LoyalAuth {
  const store = new RedisTokenStore({ client, prefix, lockTtl })
  const auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url, store, encryptionKey })
  opened.push(auth)

  return auth
}

async function newWorker(): Promise<Worker> {
  const worker = await startWorker({
    API_URL: api.url,
    API_KEY: api.apiKey,
    REDIS_URL: inject('redisUrl'),
    ENCRYPTION_KEY: encryptionKey,
    PREFIX: prefix,
    LOCK_TTL: String(lockTtl),
  })
  workers.push(worker)

  return worker
}

async function lockKey(auth: LoyalAuth): Promise<string> {
  return `${prefix}:{${await auth.fingerprint()}}:lock`
}

function hash(value: string): string {
  return createHash('sha256').update(value).digest('hex').slice(0, 16)
}

async function until(condition: () => boolean, timeout = 5_000): Promise<void> {
  const giveUpAt = Date.now() + timeout
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error('condition not met in time')
    await delay(10)
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

describe('C18: a refresh that outlasts the Redis lock', () => {
  it('renews the lock while the holder fetches, so the other picks up its token', async () => {
    api.faults.token({ delay: 1_500, times: 1 })
    const first = newAuth()
    const second = newAuth()

    const fetching = first.getToken()
    await until(() => api.counters.tokenRequests === 1)
    const waiting = second.getToken()

    // Past the lock's 1 s life, the holder still holds it: it renews while its fetch runs.
    await delay(1_200)
    expect(await client.pttl(await lockKey(first))).toBeGreaterThan(0)

    const [token, picked] = await Promise.all([fetching, waiting])
    expect(picked.value).toBe(token.value)
    expect(api.counters.tokenRequests).toBe(1)
    expect(await client.exists(await lockKey(first))).toBe(0)
  })

  it('never lets a holder that stalled past the lock overwrite the newer token', async () => {
    api.faults.token({ delay: 1_500, times: 1 })
    const stalled = await newWorker()
    stalled.send('token')
    await until(() => api.counters.tokenRequests === 1)

    // Frozen mid-request, as by a long GC pause: no renewal, so the lock lapses.
    stalled.kill('SIGSTOP')
    const newer = await newAuth().getToken()
    expect(api.counters.tokenRequests).toBe(2)

    stalled.kill('SIGCONT')
    const late = await stalled.next('token')
    expect(late.token).not.toBe(hash(newer.value))

    // The late result stayed in its own process; the store still serves the newer token.
    await delay(100)
    expect((await newAuth().getToken()).value).toBe(newer.value)
    expect(api.counters.tokenRequests).toBe(2)
  })

  it('lets a holder that died mid-refresh block no one past the lock life', async () => {
    api.faults.token({ hang: true, times: 1 })
    const doomed = await newWorker()
    doomed.send('token')
    await until(() => api.counters.tokenRequests === 1)

    const survivor = newAuth()
    const waiting = survivor.getToken()
    await delay(300)
    expect(api.counters.tokenRequests).toBe(1)

    doomed.kill('SIGKILL')
    const diedAt = api.now()
    const token = await waiting

    expect(token.isExpired()).toBe(false)
    expect(api.counters.tokenRequests).toBe(2)
    const second = api.requests.filter((request) => request.kind === 'token')[1]!
    expect(second.receivedAt).toBeGreaterThanOrEqual(diedAt)
  })
})
