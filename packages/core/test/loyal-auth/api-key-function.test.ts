import { afterEach, describe, expect, it, vi } from 'vitest'
import { isLoyalError } from '../../src/index.js'
import { authFor, expectNoSecrets, rejectionOf, startApi } from './support.js'

afterEach(() => {
  vi.useRealTimers()
})

describe('an apiKey function', () => {
  it('that never resolves ends in a timeout within the retry deadline', {
    timeout: 3_000,
  }, async () => {
    const api = await startApi()
    let calls = 0
    const auth = authFor(api, {
      apiKey: () => {
        calls++
        return new Promise<string>(() => {})
      },
      timeoutDuration: 300,
      retry: { attempts: 10, baseDelay: 5, maxDelay: 20, deadline: 1_000 },
    })
    vi.useFakeTimers()

    const pending = rejectionOf(auth.getToken())
    await vi.advanceTimersByTimeAsync(1_100)
    const error = await pending

    expect(isLoyalError(error) && error.code).toBe('timeout')
    expect(calls).toBeGreaterThan(1)
    expect(api.counters.tokenRequests).toBe(0)
  })

  it('that throws once is called again, and the token is fetched', async () => {
    const api = await startApi()
    let calls = 0
    const auth = authFor(api, {
      apiKey: async () => {
        calls++
        if (calls === 1) throw new Error('secret manager unreachable')
        return api.apiKey
      },
    })

    const token = await auth.getToken()

    expect(token.value).not.toBe('')
    expect(calls).toBe(2)
    expect(api.counters.tokenRequests).toBe(1)
  })

  it('that keeps throwing ends as token_endpoint_unavailable, without the key', async () => {
    const api = await startApi()
    let calls = 0
    const auth = authFor(api, {
      apiKey: async () => {
        calls++
        if (calls === 1) return api.apiKey
        throw new Error(`cannot renew ApiKey ${api.apiKey} (was ${api.apiKey})`)
      },
      retry: { attempts: 3, baseDelay: 1, maxDelay: 2 },
    })
    await auth.getToken()

    const error = await rejectionOf(auth.getToken({ forceRefresh: true }))

    expect(isLoyalError(error) && error.code).toBe('token_endpoint_unavailable')
    expect(calls).toBe(4)
    expect(api.counters.tokenRequests).toBe(1)
    expectNoSecrets(error, [api.apiKey])
  })

  it('that returns an empty key fails at once with config', async () => {
    const api = await startApi()
    let calls = 0
    const auth = authFor(api, {
      apiKey: () => {
        calls++
        return ''
      },
    })

    const error = await rejectionOf(auth.getToken())

    expect(isLoyalError(error) && error.code).toBe('config')
    expect(calls).toBe(1)
  })
})
