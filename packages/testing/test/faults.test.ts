import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type LoyalApi, startLoyalApi } from '../src/index.js'

let api: LoyalApi

beforeAll(async () => {
  api = await startLoyalApi()
})

afterEach(() => api.reset())

afterAll(() => api.close())

function requestToken(signal?: AbortSignal) {
  return fetch(api.tokenUrl, {
    method: 'POST',
    headers: { Authorization: `ApiKey ${api.apiKey}` },
    ...(signal && { signal }),
  })
}

describe('token faults', () => {
  it('answers 503 the given number of times, then issues tokens again', async () => {
    const fault = api.faults.token({ status: 503, times: 1 })

    const failed = await requestToken()
    const recovered = await requestToken()

    expect(failed.status).toBe(503)
    expect(await failed.json()).toEqual({ message: 'Service Unavailable' })
    expect(recovered.status).toBe(200)
    expect(fault.hits).toBe(1)
    expect(api.faults.active).toBe(0)
  })
})

describe('close', () => {
  it('ends a hanging token request', async () => {
    const server = await startLoyalApi()

    server.faults.token({ hang: true })

    const pending = fetch(server.tokenUrl, {
      method: 'POST',
      headers: { Authorization: `ApiKey ${server.apiKey}` },
    })

    await expect.poll(() => server.counters.tokenRequests).toBe(1)
    await server.close()

    await expect(pending).rejects.toThrow()
  })
})
