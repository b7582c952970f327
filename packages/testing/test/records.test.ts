import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type LoyalApi, startLoyalApi } from '../src/index.js'
import { callApi, fetchToken, requestToken } from './support.js'

let api: LoyalApi

beforeAll(async () => {
  api = await startLoyalApi()
})

afterEach(() => api.reset())

afterAll(() => api.close())

describe('counters', () => {
  it('count token and API requests, and requests per path', async () => {
    const token = await fetchToken(api)

    await callApi(api, '/users', token)
    await callApi(api, '/users', token)
    await callApi(api, '/rules?limit=1', token)

    expect(api.counters).toMatchObject({ tokenRequests: 1, tokensIssued: 1, apiRequests: 3 })
    expect(api.counters.paths).toEqual({ '/auth/client/token': 1, '/users': 2, '/rules': 1 })
  })

  it('stay the same live object across reset()', async () => {
    const counters = api.counters

    await requestToken(api)
    api.reset()

    expect(counters).toBe(api.counters)
    expect(counters.tokenRequests).toBe(0)
    expect(counters.paths).toEqual({})
  })
})

describe('requests', () => {
  it('records method, path, headers, Authorization values, body and status', async () => {
    await callApi(api, '/echo?q=1', 'T1', { method: 'POST', body: '{"a":1}' })

    expect(api.requests).toEqual([
      expect.objectContaining({
        kind: 'api',
        method: 'POST',
        path: '/echo',
        url: '/echo?q=1',
        authorization: ['Bearer T1'],
        body: '{"a":1}',
        status: 200,
      }),
    ])
    expect(api.requests[0]?.headers).toMatchObject({
      authorization: 'Bearer T1',
      'content-type': 'application/json',
    })
    expect(api.requests[0]?.rawHeaders).toContain('Bearer T1')
  })

  it('records token requests with their ApiKey header and no body', async () => {
    await requestToken(api)

    expect(api.requests[0]).toMatchObject({
      kind: 'token',
      method: 'POST',
      path: '/auth/client/token',
      authorization: [`ApiKey ${api.apiKey}`],
      body: undefined,
      status: 200,
    })
  })

  it('keep only the most recent maxRequests, or none with 0', async () => {
    const small = await startLoyalApi({ maxRequests: 3 })
    const none = await startLoyalApi({ maxRequests: 0 })

    for (const path of ['/health?n=1', '/health?n=2', '/health?n=3', '/health?n=4']) {
      await callApi(small, path, null)
      await callApi(none, path, null)
    }

    expect(small.requests.map((one) => one.url)).toEqual([
      '/health?n=2',
      '/health?n=3',
      '/health?n=4',
    ])
    expect(none.requests).toHaveLength(0)
    expect(none.counters.apiRequests).toBe(4)
    await Promise.all([small.close(), none.close()])
    await expect(startLoyalApi({ maxRequests: -1 })).rejects.toThrow('"maxRequests"')
  })

  it('are forgotten on reset()', async () => {
    await requestToken(api)
    api.reset()

    expect(api.requests).toHaveLength(0)
  })
})

describe('clients', () => {
  it('start with a distinctive random key and the documented default scopes', async () => {
    const other = await startLoyalApi()

    expect(api.apiKey).toMatch(/^loyal_test_[0-9a-f]{32}$/)
    expect(other.apiKey).not.toBe(api.apiKey)
    expect(api.client.scopes).toEqual(['empower:read', 'users:read', 'rules:read', 'rules:write'])
    await other.close()
  })

  it('take a given key, identity and scopes', async () => {
    const custom = await startLoyalApi({
      apiKey: 'my-key',
      clientId: 'c-1',
      clientName: 'Custom',
      scopes: ['users:read'],
    })

    expect(custom.client).toMatchObject({ apiKey: 'my-key', clientId: 'c-1', clientName: 'Custom' })
    expect((await callApi(custom, '/rules', await fetchToken(custom))).status).toBe(403)
    await custom.close()
  })

  it('refuses an empty API key', () => {
    expect(() => api.addClient({ apiKey: '' })).toThrow('"apiKey"')
  })
})
