import { request } from 'node:http'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type LoyalApi, startLoyalApi } from '../src/index.js'
import { callApi, fetchToken } from './support.js'

let api: LoyalApi
let token: string

beforeAll(async () => {
  api = await startLoyalApi()
  token = await api.issueToken()
})

afterEach(() => api.reset())

afterAll(() => api.close())

const get = (path: string, bearer: string | null = token) => callApi(api, path, bearer)

const post = (path: string, body: string, bearer: string | null = token) =>
  callApi(api, path, bearer, { method: 'POST', body })

describe('Empower routes', () => {
  it('serves provider totals, with the caller tenant', async () => {
    const { status, body } = await get('/empower/providers/101/totals')

    expect(status).toBe(200)
    expect(body).toMatchObject({ providerId: 101, clientId: api.client.clientId })
    expect(body).toHaveProperty('reviews')
  })

  it('serves subtotals and surveys as bare arrays', async () => {
    const subtotals = await get('/empower/providers/102/subtotals')
    const surveys = await get('/empower/providers/102/surveys')

    expect(subtotals.body).toEqual(expect.arrayContaining([expect.objectContaining({})]))
    expect(surveys.body).toHaveLength(3)
  })

  it('answers 404 JSON to unknown ids', async () => {
    expect(await get('/empower/providers/999/totals')).toMatchObject({
      status: 404,
      body: { message: 'Provider not found' },
    })
    expect((await get('/empower/rollups/26')).status).toBe(404)
    expect((await get('/empower/locations/abc')).status).toBe(404)
  })

  it('pages rollups as a bare array with offset and limit', async () => {
    const first = await get('/empower/rollups')
    const last = await get('/empower/rollups?offset=20&limit=10')

    expect(first.body).toHaveLength(10)
    expect(last.body).toHaveLength(5)
    expect((last.body as Array<{ id: number }>)[0]?.id).toBe(21)
  })

  it('answers 400 to a bad page', async () => {
    expect((await get('/empower/rollups?offset=-1')).status).toBe(400)
    expect((await get('/empower/v2/rollups?limit=1000')).status).toBe(400)
  })

  it('serves v2 rollups in their own shape', async () => {
    const { body } = await get('/empower/v2/rollups?limit=1')

    expect(body).toEqual([{ rollupId: 1, name: 'Rollup 1', metrics: expect.objectContaining({}) }])
  })

  it('answers totals of the posted ids, with read scope only', async () => {
    const read = await api.issueToken({ scopes: ['empower:read'] })
    const providers = await post('/empower/providers/totals', '[101, "103", 999]', read)
    const locations = await post('/empower/locations/totals', '[202]', read)

    expect((providers.body as Array<{ providerId: number }>).map((p) => p.providerId)).toEqual([
      101, 103,
    ])
    expect(locations.body).toEqual([expect.objectContaining({ locationId: 202 })])
  })

  it('refuses a totals body that is not an array of ids', async () => {
    expect((await post('/empower/locations/totals', '{oops')).status).toBe(400)
    expect((await post('/empower/locations/totals', '{"ids": [1]}')).status).toBe(400)
    expect((await post('/empower/locations/totals', '[1, "x"]')).status).toBe(422)
  })
})

describe('users and rules', () => {
  it('serves users', async () => {
    expect((await get('/users')).body).toHaveLength(3)
    expect(await get('/users/2')).toMatchObject({ status: 200, body: { id: 2 } })
    expect((await get('/users/9')).status).toBe(404)
  })

  it('creates a rule that a later GET shows', async () => {
    const created = await post('/rules', JSON.stringify({ name: 'New rule', condition: 'x' }))
    const id = (created.body as { id: number }).id

    expect(created.status).toBe(201)
    expect(created.headers.get('location')).toBe(`/rules/${id}`)
    expect((await get(`/rules/${id}`)).body).toMatchObject({ id, name: 'New rule', enabled: true })
    expect((await get('/rules')).body).toHaveLength(3)
  })

  it('keeps each tenant its own rules', async () => {
    const other = api.addClient({ apiKey: 'loyal_test_rules_tenant' })
    const otherToken = await fetchToken(api, other.apiKey)

    await post('/rules', JSON.stringify({ name: 'Only mine' }))

    expect((await get('/rules')).body).toHaveLength(3)
    expect((await get('/rules', otherToken)).body).toHaveLength(2)
  })

  it('replaces with PUT and merges with PATCH', async () => {
    const put = { method: 'PUT', body: JSON.stringify({ name: 'Put' }) }
    const patch = { method: 'PATCH', body: JSON.stringify({ enabled: false }) }

    expect((await callApi(api, '/rules/1', token, put)).body).toEqual({
      id: 1,
      name: 'Put',
      condition: '',
      enabled: true,
    })
    expect((await callApi(api, '/rules/1', token, patch)).body).toMatchObject({
      name: 'Put',
      enabled: false,
    })
  })

  it('deletes with 204, then answers 404', async () => {
    expect((await callApi(api, '/rules/1', token, { method: 'DELETE' })).status).toBe(204)
    expect((await get('/rules/1')).status).toBe(404)
  })

  it('restores the sample rules on reset', async () => {
    await callApi(api, '/rules/1', token, { method: 'DELETE' })
    api.reset()

    expect((await get('/rules/1')).status).toBe(200)
  })

  it('answers 400 to a body that is not an object and 422 to invalid fields', async () => {
    expect((await post('/rules', 'nope')).status).toBe(400)
    expect(await post('/rules', JSON.stringify({ enabled: 'yes' }))).toMatchObject({
      status: 422,
      body: { errors: { name: expect.any(String), enabled: expect.any(String) } },
    })
  })
})

describe('authentication', () => {
  it('answers 401 without a bearer token', async () => {
    const response = await get('/users', null)

    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer')
    expect(api.counters.unauthorized).toBe(1)
  })

  it('answers 401 to a token signed with another secret', async () => {
    const forged = await api.issueToken({ secret: 'not the server secret, 32 bytes!!' })

    expect((await get('/users', forged)).status).toBe(401)
  })

  it('answers 401 to garbage and to an ApiKey on an API route', async () => {
    expect((await get('/users', 'garbage')).status).toBe(401)
    expect(
      (await callApi(api, '/users', null, { headers: { Authorization: `ApiKey ${api.apiKey}` } }))
        .status
    ).toBe(401)
  })

  it('answers 401 to an expired token', async () => {
    const expired = await api.issueToken({ expiresAt: Date.now() - 1_000 })
    const response = await get('/users', expired)

    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toContain('The token expired')
  })

  it('answers 401 to a revoked token, and to every token after revoke()', async () => {
    const revoked = await api.issueToken()

    api.revoke(revoked)
    expect((await get('/users', revoked)).status).toBe(401)
    expect((await get('/users')).status).toBe(200)

    api.revoke()
    expect((await get('/users')).status).toBe(401)
    expect((await get('/users', await fetchToken(api))).status).toBe(200)
  })

  it('answers 401 to two Authorization headers', async () => {
    const status = await new Promise<number | undefined>((resolve, reject) => {
      const req = request(`${api.url}/users`, {
        // A flat list is sent as is; Node then adds no Host header of its own.
        headers: [
          ['Host', new URL(api.url).host],
          ['Authorization', `Bearer ${token}`],
          ['Authorization', `Bearer ${token}`],
        ].flat(),
      })

      req.on('response', (res) => {
        res.resume()
        resolve(res.statusCode)
      })
      req.on('error', reject)
      req.end()
    })

    expect(status).toBe(401)
    expect(api.requests[0]?.authorization).toHaveLength(2)
  })
})

describe('routing', () => {
  it('answers 404 to an unknown path and 405 to a wrong method', async () => {
    expect(await get('/nowhere')).toMatchObject({ status: 404, body: { message: 'Not found' } })

    const wrong = await callApi(api, '/users', token, { method: 'DELETE' })

    expect(wrong.status).toBe(405)
    expect(wrong.headers.get('allow')).toBe('GET')
  })

  it('redirects to another origin without asking for a token', async () => {
    const to = 'http://localhost:1/elsewhere'
    const response = await get(`/redirect?to=${encodeURIComponent(to)}&status=307`, null)

    expect(response.status).toBe(307)
    expect(response.headers.get('location')).toBe(to)
    expect((await get('/redirect', null)).status).toBe(400)
  })

  it('echoes the request it got, every header value included', async () => {
    const response = await callApi(api, '/echo?x=1', 'abc', { method: 'POST', body: '{"a":1}' })

    expect(response.body).toMatchObject({
      method: 'POST',
      url: '/echo?x=1',
      headers: { authorization: ['Bearer abc'] },
      body: '{"a":1}',
    })
  })

  it('sends the API clock in the Date header', async () => {
    const response = await get('/health', null)

    expect(Date.parse(response.headers.get('date') ?? '')).toBeGreaterThan(Date.now() - 5_000)
  })
})
