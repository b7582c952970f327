import { randomBytes } from 'node:crypto'
import { mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'

import { FileTokenStore } from '../src/file-store.js'
import { type Logger, LoyalAuth, type LoyalAuthOptions } from '../src/index.js'

const key = 'f'.repeat(64)
const encryptionKey = randomBytes(32).toString('base64url')
const day = 24 * 60 * 60 * 1000

let directory: string
let api: LoyalApi
const opened: LoyalAuth[] = []

beforeAll(async () => {
  api = await startLoyalApi()
})

beforeEach(async () => {
  api.reset()
  directory = join(await mkdtemp(join(tmpdir(), 'loyal-file-store-')), 'tokens')
})

afterEach(async () => {
  await Promise.all(opened.splice(0).map((auth) => auth.close()))
  await rm(join(directory, '..'), { recursive: true, force: true })
})

afterAll(async () => {
  await api.close()
})

function newAuth(options: Partial<LoyalAuthOptions> = {}): LoyalAuth {
  const auth = new LoyalAuth({
    apiKey: api.apiKey,
    baseUrl: api.url,
    store: new FileTokenStore({ directory }),
    encryptionKey,
    ...options,
  })
  opened.push(auth)

  return auth
}

async function filesIn(folder: string): Promise<string[]> {
  return (await readdir(folder)).sort()
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

describe('FileTokenStore', () => {
  it('keeps records in an owner-only folder, in owner-only files', async () => {
    const store = new FileTokenStore({ directory })

    await store.set(key, 'record-1', 60_000)

    expect(await store.get(key)).toBe('record-1')
    expect(await filesIn(directory)).toEqual([`${key}.json`])
    if (process.platform !== 'win32') {
      expect((await stat(directory)).mode & 0o777).toBe(0o700)
      expect((await stat(join(directory, `${key}.json`))).mode & 0o777).toBe(0o600)
    }
  })

  it('replaces records whole and leaves no temporary files behind', async () => {
    const store = new FileTokenStore({ directory })

    await Promise.all(
      Array.from({ length: 20 }, (_, index) => store.set(key, `record-${index}`, 60_000))
    )

    expect(await store.get(key)).toMatch(/^record-\d+$/)
    expect(await filesIn(directory)).toEqual([`${key}.json`])
  })

  it('forgets records after their ttl, and on delete', async () => {
    const store = new FileTokenStore({ directory })

    await store.set(key, 'short', 1)
    await delay(5)
    expect(await store.get(key)).toBeUndefined()

    await store.set(key, 'long', 60_000)
    await store.delete(key)
    await store.delete(key)
    expect(await store.get(key)).toBeUndefined()
  })

  it('never lets a key name a file outside its folder', async () => {
    const store = new FileTokenStore({ directory })

    await store.set('../../escape', 'record', 60_000)

    expect(await store.get('../../escape')).toBe('record')
    const [name] = await filesIn(directory)
    expect(name).toMatch(/^[0-9a-f]{64}\.json$/)
  })

  it('refuses a missing directory or a bad lockStaleDuration', () => {
    const bad = [
      () => new FileTokenStore({} as never),
      () => new FileTokenStore({ directory: '' }),
      () => new FileTokenStore({ directory, lockStaleDuration: Number.NaN }),
    ]

    for (const construct of bad)
      expect(construct).toThrow(expect.objectContaining({ code: 'config' }))
  })

  it('reports a folder it cannot use as a store error', async () => {
    const file = join(directory, '..', 'not-a-folder')
    await writeFile(file, '')
    const store = new FileTokenStore({ directory: join(file, 'tokens') })

    await expect(store.set(key, 'record', 60_000)).rejects.toMatchObject({ code: 'store' })
  })
})

describe('FileTokenStore.lock', () => {
  it('grants the lock to one holder at a time and is released by its owner only', async () => {
    const first = new FileTokenStore({ directory, lockStaleDuration: 60_000 })
    const second = new FileTokenStore({ directory, lockStaleDuration: 200 })

    const held = await first.lock(key, 60_000)
    expect(held).toBeDefined()

    // The second waits ttlMs plus the stale duration; the holder keeps the file fresh.
    expect(await second.lock(key, 100)).toBeUndefined()

    await held!.release()
    const next = await second.lock(key, 100)
    expect(next).toBeDefined()
    await held!.release()
    expect(await filesIn(directory)).toContain(`${key}.lock`)
    await next!.release()
    expect(await filesIn(directory)).not.toContain(`${key}.lock`)
  })

  it('takes over a lock file whose holder stopped touching it', async () => {
    const store = new FileTokenStore({ directory, lockStaleDuration: 200 })
    await store.set(key, 'x', 60_000)
    await writeFile(join(directory, `${key}.lock`), 'someone-who-died')
    const past = new Date(Date.now() - 1_000)
    await utimes(join(directory, `${key}.lock`), past, past)

    const held = await store.lock(key, 1_000)

    expect(held).toBeDefined()
    await held!.release()
  })
})

describe('LoyalAuth on a FileTokenStore', () => {
  function recordingLogger(): Logger & { events: string[] } {
    const events: string[] = []
    const record = (fields: object) => events.push(String((fields as { event: unknown }).event))

    return { events, debug: () => undefined, info: () => undefined, warn: record, error: record }
  }

  it('requires an encryptionKey, since records leave the process', () => {
    const store = new FileTokenStore({ directory })

    expect(() => new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url, store })).toThrow(
      expect.objectContaining({ code: 'config', message: expect.stringContaining('encryptionKey') })
    )
  })

  it('refuses an encryption key of the wrong size, without echoing it', () => {
    const short = randomBytes(16).toString('base64')
    const construct = () => newAuth({ encryptionKey: short })

    expect(construct).toThrow(expect.objectContaining({ code: 'config' }))
    expect(construct).toThrow(/"encryptionKey"/)
    expect(construct).not.toThrow(short)
  })

  it('C11: keeps an exp-less token 24 h from its fetch, also after a round trip', async () => {
    api.configure({ expFormat: 'none' })
    const before = Date.now()
    const first = await newAuth().getToken()
    const after = Date.now()

    const second = await newAuth().getToken()

    expect(api.counters.tokenRequests).toBe(1)
    expect(second.value).toBe(first.value)
    expect(second.expiresAt.getTime()).toBe(first.expiresAt.getTime())
    expect(second.expiresAt.getTime()).toBeGreaterThanOrEqual(before + day - 1_000)
    expect(second.expiresAt.getTime()).toBeLessThanOrEqual(after + day + 1_000)
  })

  it('names files by a hash and writes neither the key nor the token in clear', async () => {
    const auth = newAuth()
    const token = await auth.getToken()

    const names = await filesIn(directory)
    expect(names).toEqual([`${await auth.fingerprint()}.json`])

    const text = await readFile(join(directory, names[0]!), 'utf8')
    for (const secret of [api.apiKey, encryptionKey, token.value, ...token.value.split('.')]) {
      expect(names[0]).not.toContain(secret)
      expect(text).not.toContain(secret)
    }
    expect(text).not.toContain(String(token.clientId))
  })

  it('treats a tampered record as a miss: warns, fetches anew, overwrites it', async () => {
    const auth = newAuth()
    const first = await auth.getToken()
    const path = join(directory, `${await auth.fingerprint()}.json`)
    const stored = JSON.parse(await readFile(path, 'utf8'))
    const parts = String(stored.record).split('.')
    parts[3] = `${parts[3]![0] === 'A' ? 'B' : 'A'}${parts[3]!.slice(1)}`
    await writeFile(path, JSON.stringify({ ...stored, record: parts.join('.') }))

    const logger = recordingLogger()
    const second = await newAuth({ logger }).getToken()

    expect(logger.events).toContain('store-record-unreadable')
    expect(second.value).not.toBe(first.value)
    expect((await newAuth().getToken()).value).toBe(second.value)
    expect(api.counters.tokenRequests).toBe(2)
  })

  it('reads with a rotated key list, and misses under an unrelated key', async () => {
    const token = await newAuth().getToken()
    const newKey = randomBytes(32)

    expect((await newAuth({ encryptionKey: [newKey, encryptionKey] }).getToken()).value).toBe(
      token.value
    )
    expect(api.counters.tokenRequests).toBe(1)

    const logger = recordingLogger()
    await newAuth({ encryptionKey: newKey, logger }).getToken()
    expect(logger.events).toContain('store-record-unreadable')
    expect(api.counters.tokenRequests).toBe(2)
  })
})
