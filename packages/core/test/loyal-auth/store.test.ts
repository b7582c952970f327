import { describe, expect, it } from 'vitest'
import {
  type LoyalError,
  MemoryTokenStore,
  type TokenStore,
  type TokenStoreLock,
} from '../../src/index.js'
import {
  authFor,
  captureLogger,
  createClock,
  expectNoSecrets,
  rejectionOf,
  startApi,
} from './support.js'

const keyA = 'a'.repeat(64)
const keyB = 'b'.repeat(64)

/** A store that leaves the process (so records are encrypted), with a lock like Redis's. */
class SharedStore implements TokenStore {
  readonly persistent: boolean
  readonly written: string[] = []
  readonly #records = new MemoryTokenStore()
  readonly #locks = new Set<string>()

  constructor(persistent = true) {
    this.persistent = persistent
  }

  get(key: string): Promise<string | undefined> {
    return this.#records.get(key)
  }

  async set(key: string, record: string, ttlMs: number): Promise<void> {
    this.written.push(record)
    await this.#records.set(key, record, ttlMs)
  }

  delete(key: string): Promise<void> {
    return this.#records.delete(key)
  }

  async lock(key: string): Promise<TokenStoreLock | undefined> {
    if (this.#locks.has(key)) return undefined

    this.#locks.add(key)
    return { release: async () => void this.#locks.delete(key) }
  }
}

/** A store that is down. */
const brokenStore: TokenStore = {
  persistent: false,
  get: () => Promise.reject(Object.assign(new Error('ECONNREFUSED'), { code: 'ECONNREFUSED' })),
  set: () => Promise.reject(new Error('down')),
  delete: () => Promise.reject(new Error('down')),
}

describe('LoyalAuth with a store', () => {
  it('keeps records of a persistent store encrypted, under a hash of the credential', async () => {
    const api = await startApi()
    const store = new SharedStore()
    const auth = authFor(api, { store, encryptionKey: keyA })

    const token = await auth.getToken()

    expect(store.written).toHaveLength(1)
    expect(store.written[0]?.split('.')).toHaveLength(5)
    expectNoSecrets(store.written[0] ?? '', [token.value, api.apiKey])
    expect(await store.get(await auth.fingerprint())).toBe(store.written[0])

    const other = authFor(api, { store, encryptionKey: keyA })
    expect((await other.getToken()).value).toBe(token.value)
    expect(api.counters.tokenRequests).toBe(1)
  })

  it('treats a record it cannot decrypt as a miss: warns, fetches anew, overwrites it', async () => {
    const api = await startApi()
    const store = new SharedStore()
    await authFor(api, { store, encryptionKey: keyA }).getToken()
    const logger = captureLogger()
    const rotated = authFor(api, { store, encryptionKey: keyB, logger })

    await rotated.getToken()

    expect(logger.events('store-record-unreadable')).toHaveLength(1)
    expect(api.counters.tokenRequests).toBe(2)
    const reader = authFor(api, { store, encryptionKey: keyB })
    await reader.getToken()
    expect(api.counters.tokenRequests).toBe(2)
  })

  it('a store that is down degrades to memory and never fails the call', async () => {
    const api = await startApi()
    const logger = captureLogger()
    const auth = authFor(api, { store: brokenStore, logger })

    const token = await auth.getToken()
    await auth.invalidate(token)
    await auth.getToken()

    const warnings = logger.events('store-unavailable')
    expect(warnings.length).toBeGreaterThan(0)
    expect(warnings[0]?.fields).toMatchObject({ operation: 'get', errorCode: 'ECONNREFUSED' })
    expectNoSecrets(JSON.stringify(logger.entries), [api.apiKey, token.value])
  })

  it('a 401 deletes the revoked token from the store, even when the new fetch fails', async () => {
    const api = await startApi()
    const store = new SharedStore()
    const options = { store, encryptionKey: keyA, retry: { attempts: 1 } }
    const auth = authFor(api, options)
    const t1 = await auth.getToken()
    api.revoke(t1.value)
    api.faults.token({ status: 500 })

    const failed = (await rejectionOf(auth.tokenAfterUnauthorized(t1))) as LoyalError

    expect(failed.code).toBe('token_endpoint_unavailable')
    expect(await store.get(await auth.fingerprint())).toBeUndefined()
    // Another process finds nothing to adopt: it asks the endpoint, never sends T1.
    const other = authFor(api, options)
    expect(((await rejectionOf(other.getToken())) as LoyalError).code).toBe(failed.code)
    expect(api.counters.tokenRequests).toBe(3)
  })

  it('a 401 for a token the store has already replaced leaves the newer one there', async () => {
    const api = await startApi()
    const store = new SharedStore()
    const auth = authFor(api, { store, encryptionKey: keyA })
    const t1 = await auth.getToken()
    // Another process that read T1 from the store renews it and writes T2 there.
    const other = authFor(api, { store, encryptionKey: keyA })
    expect((await other.getToken()).value).toBe(t1.value)
    const t2 = await other.getToken({ forceRefresh: true })
    api.revoke(t1.value)

    expect((await auth.tokenAfterUnauthorized(t1)).value).toBe(t2.value)
    const third = authFor(api, { store, encryptionKey: keyA })
    expect((await third.getToken()).value).toBe(t2.value)
    expect(api.counters.tokenRequests).toBe(2)
  })

  it('two instances sharing a store with a lock make one token request', async () => {
    const api = await startApi()
    api.faults.token({ delay: 100, times: 1 })
    const store = new SharedStore(false)
    const first = authFor(api, { store })
    const second = authFor(api, { store })

    const [a, b] = await Promise.all([first.getToken(), second.getToken()])

    expect(a.value).toBe(b.value)
    expect(api.counters.tokenRequests).toBe(1)
  })

  it('when the lock holder fails, a waiting instance takes the lock and fetches at once', async () => {
    const api = await startApi()
    api.faults.token({ status: 500, delay: 100, times: 1 })
    const store = new SharedStore(false)
    const one = authFor(api, { store, retry: { attempts: 1 } })
    const other = authFor(api, { store, retry: { attempts: 1 } })

    // Which one takes the lock first is up to the thread pool (the store key is a digest).
    const results = await Promise.allSettled([one.getToken(), other.getToken()])

    expect(results.map((result) => result.status).sort()).toEqual(['fulfilled', 'rejected'])
    expect(api.counters.tokenRequests).toBe(2)
  })

  it("re-bases another process's record on its own clock offset", async () => {
    const clock = createClock()
    const api = await startApi({ now: clock.now })
    const store = new SharedStore(false)
    const fast = authFor(api, { store, now: () => clock.now() + 60 * 60_000 })
    const exact = authFor(api, { store, now: clock.now })
    await exact.invalidate(await exact.getToken())

    const t1 = await fast.getToken()
    expect((await exact.getToken()).value).toBe(t1.value)
    expect(api.counters.tokenRequests).toBe(2)

    clock.set(t1.expiresAt.getTime() - 10_000)
    expect(exact.peekToken()).toBeUndefined()
  })
})

describe('LoyalAuth writing to a shared store', () => {
  /**
   * A view of `shared` for one instance that stops once its token is fetched, before it reads
   * the store again or writes (`paused` says when), until `gate` opens: a process paused
   * between fetching and writing while another one went ahead.
   */
  function pausedBeforeWriting(shared: TokenStore, gate: Promise<void>) {
    let reads = 0
    let pause!: () => void
    const paused = new Promise<void>((resolve) => {
      pause = resolve
    })
    const store: TokenStore = {
      persistent: shared.persistent,
      get: async (key) => {
        if (++reads === 2) {
          pause()
          await gate
        }

        return shared.get(key)
      },
      set: async (key, record, ttlMs) => {
        pause()
        await gate
        await shared.set(key, record, ttlMs)
      },
      delete: (key) => shared.delete(key),
    }

    return { store, paused }
  }

  it('never puts an older token over a newer one another instance stored meanwhile', async () => {
    const clock = createClock()
    const api = await startApi({ now: clock.now })
    const shared = new SharedStore(false)
    let wrote!: () => void
    const gate = new Promise<void>((resolve) => {
      wrote = resolve
    })
    const view = pausedBeforeWriting(shared, gate)
    const paused = authFor(api, { store: view.store, now: clock.now })
    const other = authFor(api, { store: shared, now: clock.now })

    const slow = paused.getToken()
    await view.paused
    clock.advance(60_000)
    const newer = await other.getToken()
    wrote()

    expect((await slow).value).toBe(newer.value)
    expect(shared.written).toHaveLength(1)
    expect(api.counters.tokenRequests).toBe(2)
  })
})
