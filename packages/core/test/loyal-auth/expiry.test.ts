import { describe, expect, it, vi } from 'vitest'
import { MemoryTokenStore, type RefreshFailedState } from '../../src/index.js'
import { authFor, captureLogger, createClock, startApi, until } from './support.js'

const hour = 60 * 60_000
const day = 24 * hour
const skew = 30_000

/** Lets pending background work (a refresh started by peekToken) reach the server. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50))

describe('LoyalAuth refresh ahead of expiry', () => {
  it('refreshes in the background between 75% and 83% of the life; callers keep T1 meanwhile', async () => {
    const clock = createClock()
    const api = await startApi({ now: clock.now })
    const auth = authFor(api, { now: clock.now })
    const t1 = await auth.getToken()

    clock.advance(0.74 * day)
    expect(auth.peekToken()).toBe(t1)
    await settle()
    expect(api.counters.tokenRequests).toBe(1)

    clock.advance(0.12 * day)
    expect(auth.peekToken()).toBe(t1)
    await until(() => auth.peekToken() !== t1)

    expect(api.counters.tokenRequests).toBe(2)
    expect(auth.peekToken()?.expiresAt.getTime()).toBeGreaterThan(t1.expiresAt.getTime())
  })

  it('hands cached callers one settled promise until the token changes', async () => {
    const clock = createClock()
    const api = await startApi({ now: clock.now })
    const auth = authFor(api, { now: clock.now })
    const t1 = await auth.getToken()

    const first = auth.getToken()
    expect(auth.getToken()).toBe(first)
    expect(await first).toBe(t1)

    clock.advance(0.9 * day)
    await until(() => auth.peekToken() !== t1)
    const renewed = auth.getToken()

    expect(renewed).not.toBe(first)
    expect(await renewed).not.toBe(t1)
    expect(await auth.getToken({ forceRefresh: true })).not.toBe(await renewed)
    expect(api.counters.tokenRequests).toBe(3)
  })

  it('refreshes with at least 4 hours of a 24-hour token left, even at the latest draw', async () => {
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.999_999)
    const clock = createClock()
    const api = await startApi({ now: clock.now })
    const auth = authFor(api, { now: clock.now })
    const t1 = await auth.getToken()

    clock.advance(day - 4 * 60 * 60_000)
    expect(auth.peekToken()).toBe(t1)
    await until(() => auth.peekToken() !== t1)
    random.mockRestore()

    expect(api.counters.tokenRequests).toBe(2)
  })

  it('C07: a failed background refresh keeps T1, fires refreshFailed, and retries with backoff', async () => {
    const clock = createClock()
    const api = await startApi({ now: clock.now })
    const failures: RefreshFailedState[] = []
    const logger = captureLogger()
    const auth = authFor(api, {
      now: clock.now,
      logger,
      retry: { attempts: 1 },
      hooks: { refreshFailed: [(state) => failures.push(state)] },
    })
    const t1 = await auth.getToken()
    api.faults.token({ status: 500 })

    clock.advance(0.9 * day)
    expect(auth.peekToken()).toBe(t1)
    await until(() => failures.length === 1)

    const [first] = failures
    expect(first?.error.code).toBe('token_endpoint_unavailable')
    expect(first?.attempt).toBe(1)
    expect(first?.retryInMs).toBeGreaterThanOrEqual(1_000)
    expect(logger.events('refresh-failed')[0]?.level).toBe('warn')
    expect(await auth.getToken()).toBe(t1)
    await settle()
    expect(api.counters.tokenRequests).toBe(2)

    api.faults.clear()
    clock.advance(first?.retryInMs ?? 0)
    expect(auth.peekToken()).toBe(t1)
    await until(() => auth.peekToken() !== t1)
    expect(api.counters.tokenRequests).toBe(3)
  })

  it('C07: background retries stop when the token reaches the end of its usable life', async () => {
    // At the last millisecond of a second the Date header is exact: no offset to allow for.
    const clock = createClock(Math.floor(Date.now() / 1_000) * 1_000 + 999)
    const api = await startApi({ now: clock.now })
    const failures: RefreshFailedState[] = []
    const auth = authFor(api, {
      now: clock.now,
      retry: { attempts: 1 },
      hooks: { refreshFailed: [(state) => failures.push(state)] },
    })
    const t1 = await auth.getToken()
    api.faults.token({ status: 500 })

    clock.set(t1.expiresAt.getTime() - skew - 500)
    auth.peekToken()
    await until(() => failures.length === 1)

    expect(failures[0]?.retryInMs).toBeUndefined()
  })
})

describe('LoyalAuth expiry', () => {
  it('C09: a token with 5 s left (skew 30 s) is never sent; a new one is fetched first', async () => {
    const clock = createClock()
    const api = await startApi({ now: clock.now })
    const auth = authFor(api, { now: clock.now })
    const t1 = await auth.getToken()

    clock.set(t1.expiresAt.getTime() - 5_000)
    expect(auth.peekToken()).toBeUndefined()
    const response = await auth.fetch('/users')

    expect(response.status).toBe(200)
    const sent = api.requests.filter((request) => request.kind === 'api')
    expect(sent.map((request) => request.authorization)).toEqual([
      [`Bearer ${auth.peekToken()?.value}`],
    ])
    expect(sent[0]?.authorization[0]).not.toContain(t1.value)
    expect(api.counters.tokenRequests).toBe(2)
  })

  it('a clock that jumps backwards does not revive a token once judged expired', async () => {
    const clock = createClock()
    const api = await startApi({ now: clock.now })
    const auth = authFor(api, { now: clock.now })
    const t1 = await auth.getToken()

    clock.set(t1.expiresAt.getTime())
    expect(auth.peekToken()).toBeUndefined()
    clock.advance(-2 * hour)

    expect(auth.peekToken()).toBeUndefined()
  })

  it('C10a: with the local clock 10 minutes slow, expiry is judged on the API clock', async () => {
    const clock = createClock()
    const api = await startApi({ now: clock.now, tokenDuration: 15 * 60_000 })
    const local = () => clock.now() - 10 * 60_000
    const auth = authFor(api, { now: local })
    const t1 = await auth.getToken()

    // 14.6 minutes later the local clock says 5 minutes are left; the API's says 24 seconds.
    clock.advance(14.6 * 60_000)

    expect(auth.peekToken()).toBeUndefined()
    expect(await auth.getToken()).not.toBe(t1)
  })

  it('a Date header of one-second resolution never makes a token look longer-lived', async () => {
    // The token response leaves the API 900 ms into a second; our clock is 300 ms slow.
    const clock = createClock(Math.floor(Date.now() / 1_000) * 1_000 + 900)
    const api = await startApi({ now: clock.now })
    const auth = authFor(api, { now: () => clock.now() - 300 })
    const t1 = await auth.getToken()
    const usableUntil = t1.expiresAt.getTime() - 30_000

    // Within a second of the end of its usable life (API clock), the token may still be sent...
    clock.set(usableUntil - 1_000)
    expect(auth.peekToken()).toBe(t1)

    // ...but not once that end has passed, though the header named an earlier instant.
    clock.set(usableUntil + 200)
    expect(auth.peekToken()).toBeUndefined()
  })

  it('C10a: a 401 for a token we think is fine costs one refresh, then the call succeeds', async () => {
    const clock = createClock()
    const api = await startApi({ now: clock.now })
    const auth = authFor(api, { now: () => clock.now() - 10 * 60_000 })
    const t1 = await auth.getToken()
    api.revoke(t1.value)

    const response = await auth.fetch('/users')

    expect(response.status).toBe(200)
    expect(api.counters.tokenRequests).toBe(2)
    expect(api.counters.unauthorized).toBe(1)
  })

  it('C10b: with the local clock 25 hours fast there is no refresh loop', async () => {
    const api = await startApi()
    const logger = captureLogger()
    const auth = authFor(api, { now: () => Date.now() + 25 * hour, logger })

    const t1 = await auth.getToken()
    for (let call = 0; call < 20; call++) expect(await auth.getToken()).toBe(t1)
    await settle()

    expect(api.counters.tokenRequests).toBe(1)
    const [scheduled] = logger.events('refresh-scheduled')
    expect(scheduled?.fields.inMs).toBeGreaterThan(0.7 * day)
  })

  it('C10b: without a Date header a token that looks expired on arrival costs one request per grace', async () => {
    const clock = createClock()
    const api = await startApi({ now: clock.now })
    const logger = captureLogger()
    const withoutDate: typeof fetch = async (input, init) => {
      const response = await fetch(input, init)
      const headers = new Headers(response.headers)
      headers.delete('date')
      return new Response(response.body, { status: response.status, headers })
    }
    const auth = authFor(api, { now: () => clock.now() + 25 * hour, fetch: withoutDate, logger })

    const t1 = await auth.getToken()
    for (let call = 0; call < 20; call++) expect(await auth.getToken()).toBe(t1)
    await settle()

    expect(api.counters.tokenRequests).toBe(1)
    expect(logger.events('token-expired-on-arrival')).toHaveLength(1)

    clock.advance(10_000)
    const t2 = await auth.getToken()
    expect(await auth.getToken()).toBe(t2)
    expect(api.counters.tokenRequests).toBe(2)
  })

  it('reuses a token the skew leaves only moments of, instead of fetching one per call', async () => {
    const clock = createClock(Math.floor(Date.now() / 1000) * 1000 + 900)
    // exp in whole seconds: 31 s from a server clock at .900 leaves 30.1 s, 0.1 s past the skew.
    const api = await startApi({ now: clock.now, tokenDuration: 31_000 })
    const auth = authFor(api, { now: clock.now })

    const t1 = await auth.getToken()
    clock.advance(500)
    for (let call = 0; call < 10; call++) expect(await auth.getToken()).toBe(t1)
    await settle()

    expect(api.counters.tokenRequests).toBe(1)
  })

  it('C11: a token without exp lives 24 hours from its fetch, also after a store round trip', async () => {
    const clock = createClock()
    const api = await startApi({ now: clock.now, expFormat: 'none' })
    const store = new MemoryTokenStore()
    const auth = authFor(api, { now: clock.now, store })
    const fetchedAt = clock.now()

    const [t1, again] = await Promise.all([auth.getToken(), auth.getToken()])

    expect(again).toBe(t1)
    expect(api.counters.tokenRequests).toBe(1)
    expect('exp' in t1.claims).toBe(false)
    // On the API's clock, whose Date header (one-second resolution) is read as the end of its
    // second: the token still lives 24 hours of our clock from its fetch.
    expect(t1.expiresAt.getTime()).toBeGreaterThanOrEqual(fetchedAt + day)
    expect(t1.expiresAt.getTime()).toBeLessThan(fetchedAt + day + 1_000)

    clock.advance(hour)
    const other = authFor(api, { now: clock.now, store })
    const restored = await other.getToken()

    expect(restored.value).toBe(t1.value)
    expect(restored.expiresAt.getTime()).toBe(t1.expiresAt.getTime())
    expect(api.counters.tokenRequests).toBe(1)
  })
})

describe('LoyalAuth.tokenAfterUnauthorized and invalidate', () => {
  it('refreshes once for any number of concurrent 401s with the current token', async () => {
    const api = await startApi()
    api.faults.token({ delay: 50, times: 2 })
    const auth = authFor(api)
    const t1 = await auth.getToken()

    const renewed = await Promise.all([
      auth.tokenAfterUnauthorized(t1),
      auth.tokenAfterUnauthorized(t1.value),
      auth.tokenAfterUnauthorized(t1),
    ])

    expect(new Set(renewed).size).toBe(1)
    expect(renewed[0]?.value).not.toBe(t1.value)
    expect(api.counters.tokenRequests).toBe(2)
  })

  it('a late 401 for T1, after T2 was fetched and revoked in turn, costs no request', async () => {
    const api = await startApi()
    api.faults.token({ delay: 50, times: 3 })
    const auth = authFor(api)
    const t1 = await auth.getToken()
    const t2 = await auth.tokenAfterUnauthorized(t1)
    api.revoke(t2.value)

    // T2's 401 renews it; T1's late 401 arrives during that renewal, then again after it.
    const renewing = auth.tokenAfterUnauthorized(t2)
    const late = auth.tokenAfterUnauthorized(t1)
    const t3 = await renewing

    expect(await late).toBe(t3)
    expect(await auth.tokenAfterUnauthorized(t1)).toBe(t3)
    expect(await auth.tokenAfterUnauthorized(t2)).toBe(t3)
    expect(new Set([t1.value, t2.value, t3.value]).size).toBe(3)
    expect(api.counters.tokenRequests).toBe(3)
  })

  it('returns the newer cached token without a request when the refused one is stale', async () => {
    const api = await startApi()
    const auth = authFor(api)
    const t1 = await auth.getToken()
    const t2 = await auth.getToken({ forceRefresh: true })

    expect(await auth.tokenAfterUnauthorized(t1)).toBe(t2)
    expect(api.counters.tokenRequests).toBe(2)
  })

  it('invalidate drops a token only while it is the current one', async () => {
    const api = await startApi()
    const auth = authFor(api)
    const t1 = await auth.getToken()
    const t2 = await auth.getToken({ forceRefresh: true })

    await auth.invalidate(t1)
    expect(auth.peekToken()).toBe(t2)

    await auth.invalidate(t2)
    expect(auth.peekToken()).toBeUndefined()
    const t3 = await auth.getToken()
    expect(t3.value).not.toBe(t2.value)
    expect(api.counters.tokenRequests).toBe(3)
  })

  it('an invalidated token is not read back from the store', async () => {
    const api = await startApi()
    const store = new MemoryTokenStore()
    const auth = authFor(api, { store })
    const t1 = await auth.getToken()
    const other = authFor(api, { store })
    expect((await other.getToken()).value).toBe(t1.value)

    const renewed = await other.tokenAfterUnauthorized(t1)

    expect(renewed.value).not.toBe(t1.value)
    expect(api.counters.tokenRequests).toBe(2)
  })
})
