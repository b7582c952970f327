import { describe, expect, it } from 'vitest'
import { isLoyalError } from '../../src/index.js'
import { authFor, createClock, rejectionOf, startApi } from './support.js'

const badKey = 'not-a-registered-key'

async function codeOf(promise: Promise<unknown>): Promise<unknown> {
  const error = await rejectionOf(promise)
  return isLoyalError(error) ? error.code : error
}

describe('a refused API key', () => {
  it('is sent once, then callers fail fast with invalid_api_key for cooldownDuration', async () => {
    const api = await startApi()
    const clock = createClock()
    const auth = authFor(api, { apiKey: badKey, now: clock.now })

    for (let i = 0; i < 20; i++) expect(await codeOf(auth.getToken())).toBe('invalid_api_key')
    expect(api.counters.tokenRequests).toBe(1)

    const error = await rejectionOf(auth.getToken())
    expect(isLoyalError(error) && error.retryAfter).toBeGreaterThan(29_000)

    clock.advance(30_001)
    expect(await codeOf(auth.getToken())).toBe('invalid_api_key')
    expect(api.counters.tokenRequests).toBe(2)
  })

  it('honours a shorter cooldownDuration, and 0 turns it off', async () => {
    const api = await startApi()
    const clock = createClock()
    const short = authFor(api, { apiKey: badKey, now: clock.now, cooldownDuration: 1_000 })
    await codeOf(short.getToken())
    await codeOf(short.getToken())
    expect(api.counters.tokenRequests).toBe(1)

    clock.advance(1_001)
    await codeOf(short.getToken())
    expect(api.counters.tokenRequests).toBe(2)

    const off = authFor(api, { apiKey: badKey, cooldownDuration: 0 })
    await codeOf(off.getToken())
    await codeOf(off.getToken())
    expect(api.counters.tokenRequests).toBe(4)
  })

  it('is tried again at once by getToken({ forceRefresh: true })', async () => {
    const api = await startApi()
    const auth = authFor(api, { apiKey: badKey })
    await codeOf(auth.getToken())

    expect(await codeOf(auth.getToken({ forceRefresh: true }))).toBe('invalid_api_key')
    expect(api.counters.tokenRequests).toBe(2)
  })

  it('does not hold back another key returned by the apiKey function', async () => {
    const api = await startApi()
    let key = badKey
    const auth = authFor(api, { apiKey: () => key })
    expect(await codeOf(auth.getToken())).toBe('invalid_api_key')
    expect(await codeOf(auth.getToken())).toBe('invalid_api_key')
    expect(api.counters.tokenRequests).toBe(1)

    key = api.apiKey
    const token = await auth.getToken()

    expect(await api.verifyToken(token.value)).toBeDefined()
    expect(api.counters.tokenRequests).toBe(2)
  })
})
