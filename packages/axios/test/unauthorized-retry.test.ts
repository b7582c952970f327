import { Readable } from 'node:stream'
import axios, { AxiosError } from 'axios'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { attachLoyalAuth, createLoyalAxios, isLoyalError } from '../src/index.js'
import { type LoyalSetup, setup } from './helpers/loyal-setup.js'

let loyal: LoyalSetup

beforeEach(async () => {
  loyal = await setup()
})

afterEach(async () => {
  await loyal.close()
})

function apiRequestsTo(path: string) {
  return loyal.api.requests.filter((request) => request.path === path)
}

/** Warms the cache with T1, revokes it and forgets the traffic so far: the next call gets 401. */
async function revokeWarmToken(): Promise<string> {
  const t1 = (await loyal.auth.getToken()).value

  loyal.api.revoke(t1)
  resetTraffic()

  return t1
}

function resetTraffic(): void {
  loyal.api.counters.tokenRequests = 0
  ;(loyal.api.requests as unknown[]).length = 0
}

describe('a 401 from the API', () => {
  it('is retried once with a new token', async () => {
    const t1 = await revokeWarmToken()
    const client = createLoyalAxios(loyal.auth)

    const response = await client.get('/users')

    const t2 = (await loyal.auth.getToken()).value
    expect(response.status).toBe(200)
    expect(t2).not.toBe(t1)
    expect(apiRequestsTo('/users').map((request) => request.authorization)).toEqual([
      [`Bearer ${t1}`],
      [`Bearer ${t2}`],
    ])
    expect(loyal.api.counters.tokenRequests).toBe(1)
  })

  it('C02: concurrent 401s on two instances share one refresh, and every retry carries T2', async () => {
    const t1 = await revokeWarmToken()
    const first = createLoyalAxios(loyal.auth)
    const second = axios.create({ baseURL: loyal.api.url })
    attachLoyalAuth(second, loyal.auth)

    const responses = await Promise.all([
      first.get('/users'),
      second.get('/users'),
      first.get('/rules'),
      second.get('/empower/rollups'),
    ])

    const t2 = (await loyal.auth.getToken()).value
    const sent = loyal.api.requests.filter((request) => request.kind === 'api')
    const refused = sent.filter((request) => request.status === 401)
    const served = sent.filter((request) => request.status === 200)

    expect(responses.map((response) => response.status)).toEqual([200, 200, 200, 200])
    expect(loyal.api.counters.tokenRequests).toBe(1)
    expect(refused.map((request) => request.authorization)).toEqual(Array(4).fill([`Bearer ${t1}`]))
    expect(served.map((request) => request.authorization)).toEqual(Array(4).fill([`Bearer ${t2}`]))
  })

  it('C05: a request queued during the refresh and the retry both send one plain Bearer T2', async () => {
    await revokeWarmToken()
    loyal.api.faults.token({ delay: 300, times: 1 })
    const client = createLoyalAxios(loyal.auth)

    const failedFirst = client.get('/users')
    await vi.waitFor(() => expect(loyal.api.counters.tokenRequests).toBe(1))
    const queued = client.get('/rules')
    const responses = await Promise.all([failedFirst, queued])

    const t2 = (await loyal.auth.getToken()).value
    const served = loyal.api.requests.filter(
      (request) => request.kind === 'api' && request.status === 200
    )

    expect(loyal.api.counters.tokenRequests).toBe(1)
    expect(served.map((request) => request.path).sort()).toEqual(['/rules', '/users'])
    expect(served.map((request) => request.authorization)).toEqual([
      [`Bearer ${t2}`],
      [`Bearer ${t2}`],
    ])
    // Delivered responses keep no bearer: their config may be logged or reused elsewhere.
    for (const response of responses) {
      expect(response.config.headers.get('Authorization')).toBeUndefined()
    }
  })

  it('resends the same body (POST /rules)', async () => {
    await revokeWarmToken()
    const client = createLoyalAxios(loyal.auth)
    const rule = { name: 'Flag slow replies', condition: 'latency > 2s', enabled: false }

    const response = await client.post('/rules', rule)

    const [refused, created] = apiRequestsTo('/rules')
    expect(response.status).toBe(201)
    expect(response.data).toMatchObject(rule)
    expect(refused?.status).toBe(401)
    expect(refused?.body).toBe(JSON.stringify(rule))
    expect(created?.body).toBe(refused?.body)
    expect(created?.headers['content-type']).toBe(refused?.headers['content-type'])
  })

  it('renews the token but does not resend a streamed body', async () => {
    await revokeWarmToken()
    const client = createLoyalAxios(loyal.auth)
    const body = Readable.from([JSON.stringify({ name: 'streamed' })])

    const error = await client
      .post('/rules', body, { headers: { 'content-type': 'application/json' } })
      .catch((caught: unknown) => caught)

    expect(error).toMatchObject({ code: 'unauthorized', path: '/rules' })
    expect((error as Error).message).toMatch(/cannot be replayed/)
    expect(apiRequestsTo('/rules')).toHaveLength(1)
    expect(loyal.api.counters.tokenRequests).toBe(1)
  })

  it('C03: a second 401 rejects with LoyalError "unauthorized", and nothing more is sent', async () => {
    await loyal.auth.getToken()
    resetTraffic()
    loyal.api.faults.route('/users', { status: 401 })
    const client = createLoyalAxios(loyal.auth)

    const error = await client.get('/users').catch((caught: unknown) => caught)

    expect(isLoyalError(error)).toBe(true)
    expect(error).toMatchObject({
      code: 'unauthorized',
      upstreamStatus: 401,
      method: 'GET',
      path: '/users',
      httpStatus: 502,
    })
    expect((error as Error).cause).toBeInstanceOf(AxiosError)
    expect(apiRequestsTo('/users')).toHaveLength(2)
    expect(loyal.api.counters.tokenRequests).toBe(1)

    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(apiRequestsTo('/users')).toHaveLength(2)
  })

  it('rejects with "unauthorized" even when validateStatus accepts every status', async () => {
    await loyal.auth.getToken()
    loyal.api.faults.route('/users', { status: 401 })
    const client = createLoyalAxios(loyal.auth, { validateStatus: () => true })

    await expect(client.get('/users')).rejects.toMatchObject({ code: 'unauthorized' })
  })

  it('retries a 401 that validateStatus lets through', async () => {
    await revokeWarmToken()
    const client = createLoyalAxios(loyal.auth, { validateStatus: () => true })

    const response = await client.get('/users')

    expect(response.status).toBe(200)
    expect(apiRequestsTo('/users').map((request) => request.status)).toEqual([401, 200])
  })

  it('with retryOnUnauthorized false, reaches the caller and retires the token', async () => {
    const t1 = await revokeWarmToken()
    const client = createLoyalAxios(loyal.auth, {}, { retryOnUnauthorized: false })

    const error = await client.get('/users').catch((caught: unknown) => caught)
    const next = await client.get('/users')

    expect(axios.isAxiosError(error) && error.response?.status).toBe(401)
    expect(next.status).toBe(200)
    expect(apiRequestsTo('/users').map((request) => request.authorization[0])).toEqual([
      `Bearer ${t1}`,
      `Bearer ${(await loyal.auth.getToken()).value}`,
    ])
  })
})

describe('a 403 from the API', () => {
  it('never refreshes the token and reaches the caller as the axios error', async () => {
    await loyal.close()
    loyal = await setup({ scopes: ['users:read', 'rules:read'] })
    await loyal.auth.getToken()
    resetTraffic()
    const client = createLoyalAxios(loyal.auth)

    const error = await client.post('/rules', { name: 'x' }).catch((caught: unknown) => caught)

    expect(axios.isAxiosError(error)).toBe(true)
    expect((error as AxiosError).response?.status).toBe(403)
    expect(loyal.api.counters.tokenRequests).toBe(0)
    expect(apiRequestsTo('/rules')).toHaveLength(1)
  })
})
