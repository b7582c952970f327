import { createServer, type Socket } from 'node:net'
import { describe, expect, it } from 'vitest'
import { isLoyalError, LoyalAuth, type LoyalError } from '../../src/index.js'
import { authFor, captureLogger, rejectionOf, startApi, until } from './support.js'

describe('LoyalAuth.getToken single flight', () => {
  it('C01: 50 concurrent callers on a cold cache share one token request and all get T1', async () => {
    const api = await startApi()
    api.faults.token({ delay: 100, times: 1 })
    const auth = authFor(api)

    const tokens = await Promise.all(Array.from({ length: 50 }, () => auth.getToken()))

    expect(api.counters.tokenRequests).toBe(1)
    expect(new Set(tokens.map((token) => token.value)).size).toBe(1)
    expect(await api.verifyToken(tokens[0]!.value)).toBeDefined()
  })

  it('10,000 concurrent callers on a cold cache make exactly one token request', async () => {
    const api = await startApi()
    const auth = authFor(api)

    const tokens = await Promise.all(Array.from({ length: 10_000 }, () => auth.getToken()))

    expect(api.counters.tokenRequests).toBe(1)
    expect(new Set(tokens.map((token) => token.value)).size).toBe(1)
  })

  it('serves later callers from the cache without another request', async () => {
    const api = await startApi()
    const auth = authFor(api)

    const first = await auth.getToken()
    const second = await auth.getToken()

    expect(second).toBe(first)
    expect(auth.peekToken()).toBe(first)
    expect(api.counters.tokenRequests).toBe(1)
  })

  it('peekToken is synchronous: undefined on a cold cache, the token once cached', async () => {
    const api = await startApi()
    const auth = authFor(api)

    expect(auth.peekToken()).toBeUndefined()
    const token = await auth.getToken()

    const peeked = auth.peekToken()
    expect(peeked).toBe(token)
    expect(typeof (peeked as unknown as { then?: unknown }).then).toBe('undefined')
    expect(api.counters.tokenRequests).toBe(1)
  })

  it('forceRefresh fetches a new token that replaces the cached one', async () => {
    const api = await startApi()
    const auth = authFor(api)
    const first = await auth.getToken()

    const [a, b] = await Promise.all([
      auth.getToken({ forceRefresh: true }),
      auth.getToken({ forceRefresh: true }),
    ])

    expect(a).toBe(b)
    expect(a.value).not.toBe(first.value)
    expect(auth.peekToken()).toBe(a)
    expect(api.counters.tokenRequests).toBe(2)
  })
})

describe('LoyalAuth failures are never cached', () => {
  it('C06: retries through one 503 and succeeds', async () => {
    const api = await startApi()
    api.faults.token({ status: 503, times: 1 })
    const auth = authFor(api)

    const token = await auth.getToken()

    expect(await api.verifyToken(token.value)).toBeDefined()
    expect(api.counters.tokenRequests).toBe(2)
  })

  it('C06: with one attempt, the first call fails and the next call makes a new request', async () => {
    const api = await startApi()
    api.faults.token({ status: 503, times: 1 })
    const auth = authFor(api, { retry: { attempts: 1 } })

    const error = (await rejectionOf(auth.getToken())) as LoyalError
    expect(error.code).toBe('token_endpoint_unavailable')
    expect(error.upstreamStatus).toBe(503)

    const token = await auth.getToken()
    expect(await api.verifyToken(token.value)).toBeDefined()
    expect(api.counters.tokenRequests).toBe(2)
  })

  it('C06: callers that joined a failed flight all fail, and the slot is free afterwards', async () => {
    const api = await startApi()
    api.faults.token({ status: 500, delay: 50, times: 1 })
    const auth = authFor(api, { retry: { attempts: 1 } })

    const results = await Promise.allSettled(Array.from({ length: 5 }, () => auth.getToken()))

    expect(results.every((result) => result.status === 'rejected')).toBe(true)
    expect(api.counters.tokenRequests).toBe(1)
    await auth.getToken()
    expect(api.counters.tokenRequests).toBe(2)
  })

  it('retries 530, 429 and 408 but not 400, 401 or 403', async () => {
    const api = await startApi()
    const auth = authFor(api, { retry: { attempts: 4, baseDelay: 1, maxDelay: 2 } })
    for (const status of [530, 429, 408]) api.faults.token({ status, times: 1 })

    await auth.getToken()
    expect(api.counters.tokenRequests).toBe(4)

    for (const status of [400, 401, 403] as const) {
      api.reset()
      api.configure({ invalidKeyStatus: status })
      const wrong = authFor(api, { apiKey: 'not-a-registered-key' })

      const error = (await rejectionOf(wrong.getToken())) as LoyalError
      expect(error.code).toBe('invalid_api_key')
      expect(error.upstreamStatus).toBe(status)
      expect(api.counters.tokenRequests).toBe(1)
    }
  })

  it('after repeated failed fetches, callers fail fast during the cooldown', async () => {
    const api = await startApi()
    api.faults.token({ status: 503 })
    let now = Date.now()
    const auth = authFor(api, { retry: { attempts: 1 }, cooldownDuration: 60_000, now: () => now })

    for (let flight = 0; flight < 3; flight++) await rejectionOf(auth.getToken())
    expect(api.counters.tokenRequests).toBe(3)

    const fast = (await rejectionOf(auth.getToken())) as LoyalError
    expect(fast.code).toBe('token_endpoint_unavailable')
    expect(fast.retryAfter).toBeGreaterThan(0)
    expect(api.counters.tokenRequests).toBe(3)

    api.faults.clear()
    now += 60_001
    await auth.getToken()
    expect(api.counters.tokenRequests).toBe(4)
  })

  it('honours a Retry-After longer than the deadline with a cooldown of that length', async () => {
    const api = await startApi()
    api.faults.token({ status: 429, retryAfter: 120, times: 1 })
    let now = Date.now()
    const auth = authFor(api, { now: () => now })

    const error = (await rejectionOf(auth.getToken())) as LoyalError
    expect(error.retryAfter).toBe(120_000)
    expect(api.counters.tokenRequests).toBe(1)

    now += 119_000
    expect(((await rejectionOf(auth.getToken())) as LoyalError).code).toBe(error.code)
    expect(api.counters.tokenRequests).toBe(1)

    now += 1_001
    await auth.getToken()
    expect(api.counters.tokenRequests).toBe(2)
  })

  it('caps an absurd Retry-After at 10 minutes', async () => {
    const api = await startApi()
    api.faults.token({ status: 429, retryAfter: 99_999_999, times: 1 })
    const auth = authFor(api)

    const error = (await rejectionOf(auth.getToken())) as LoyalError

    expect(error.retryAfter).toBe(10 * 60_000)
  })

  it('waits at least Retry-After between attempts', async () => {
    const api = await startApi()
    api.faults.token({ status: 503, retryAfter: 1, times: 1 })
    const logger = captureLogger()
    const auth = authFor(api, { logger })

    await auth.getToken()

    const [retry] = logger.events('token-request-retry')
    expect(retry?.fields.waitMs).toBeGreaterThanOrEqual(1_000)
    expect(api.counters.tokenRequests).toBe(2)
  })
})

describe('LoyalAuth timeouts and aborts', () => {
  it('C08: a hanging endpoint gives all 10 callers `timeout`; the next call tries afresh', async () => {
    const api = await startApi()
    const hang = api.faults.token({ hang: true })
    const auth = authFor(api, { timeoutDuration: 200, retry: { attempts: 1 } })

    const results = await Promise.allSettled(Array.from({ length: 10 }, () => auth.getToken()))

    for (const result of results) {
      expect(result.status).toBe('rejected')
      const error = (result as PromiseRejectedResult).reason as LoyalError
      expect(isLoyalError(error) && error.code).toBe('timeout')
      expect(error.httpStatus).toBe(504)
    }
    expect(api.counters.tokenRequests).toBe(1)

    hang.clear()
    await auth.getToken()
    expect(api.counters.tokenRequests).toBe(2)
  })

  it('C08: the socket of a hung token request is closed when the attempt times out', async () => {
    const requested: Socket[] = []
    const closed: Socket[] = []
    const all: Socket[] = []
    const server = createServer((socket) => {
      all.push(socket)
      // Reads (and never answers) the request; reading lets the socket notice the hang-up.
      socket.once('data', () => requested.push(socket))
      socket.on('close', () => closed.push(socket))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as { port: number }
    const auth = new LoyalAuth({
      apiKey: 'k',
      baseUrl: `http://127.0.0.1:${port}`,
      timeoutDuration: 500,
      retry: { attempts: 1 },
    })

    try {
      const error = (await rejectionOf(auth.getToken())) as LoyalError
      expect(error.code).toBe('timeout')
      expect(requested).toHaveLength(1)
      await until(() => closed.includes(requested[0]!), 2_000)
    } finally {
      await auth.close()
      for (const socket of all) socket.destroy()
      server.close()
    }
  })

  it('a caller whose signal aborts stops waiting; the shared fetch still serves the others', async () => {
    const api = await startApi()
    api.faults.token({ delay: 100, times: 1 })
    const auth = authFor(api)
    const controller = new AbortController()

    const impatient = auth.getToken({ signal: controller.signal })
    const patient = auth.getToken()
    controller.abort()

    const error = (await rejectionOf(impatient)) as LoyalError
    expect(error.code).toBe('timeout')
    expect(await api.verifyToken((await patient).value)).toBeDefined()
    expect(api.counters.tokenRequests).toBe(1)
  })

  it('many callers sharing one signal: no listener warning, and an abort ends every wait', async () => {
    const warnings: string[] = []
    const onWarning = (warning: Error) => warnings.push(warning.name)
    process.on('warning', onWarning)
    const api = await startApi()
    api.faults.token({ delay: 100, times: 2 })
    const auth = authFor(api)
    const shared = new AbortController()

    try {
      const served = await Promise.all(
        Array.from({ length: 30 }, () => auth.getToken({ signal: shared.signal }))
      )
      await auth.invalidate()
      const waiting = Array.from({ length: 30 }, () =>
        rejectionOf(auth.getToken({ signal: shared.signal }))
      )
      shared.abort()
      const errors = (await Promise.all(waiting)) as LoyalError[]
      await new Promise((resolve) => setImmediate(resolve))

      expect(new Set(served).size).toBe(1)
      expect(errors.map((error) => error.code)).toEqual(Array(30).fill('timeout'))
      expect(warnings).not.toContain('MaxListenersExceededWarning')
    } finally {
      process.off('warning', onWarning)
    }
  })

  it('an already aborted signal rejects at once when a fetch is needed', async () => {
    const api = await startApi()
    const auth = authFor(api)

    const error = (await rejectionOf(auth.getToken({ signal: AbortSignal.abort() }))) as LoyalError

    expect(error.code).toBe('timeout')
  })

  it('close() stops a fetch in progress; later calls reject with `config`', async () => {
    const api = await startApi()
    api.faults.token({ hang: true })
    const auth = authFor(api)

    const pending = auth.getToken()
    await until(() => api.counters.tokenRequests === 1)
    await auth.close()

    expect(((await rejectionOf(pending)) as LoyalError).code).toBe('config')
    expect(((await rejectionOf(auth.getToken())) as LoyalError).code).toBe('config')
    expect(auth.peekToken()).toBeUndefined()
  })
})
