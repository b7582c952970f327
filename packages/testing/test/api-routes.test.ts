import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type LoyalApi, startLoyalApi } from '../src/index.js'

let api: LoyalApi
let token: string

beforeAll(async () => {
  api = await startLoyalApi()
  token = await api.issueToken()
})

afterEach(() => api.reset())

afterAll(() => api.close())

function call(path: string, init: RequestInit = {}, bearer: string | null = token) {
  const headers = new Headers(init.headers)

  if (bearer !== null) headers.set('Authorization', `Bearer ${bearer}`)
  if (init.body !== undefined) headers.set('Content-Type', 'application/json')

  return fetch(`${api.url}${path}`, { ...init, headers })
}

async function json(path: string, init?: RequestInit): Promise<{ status: number; body: unknown }> {
  const response = await call(path, init)
  const text = await response.text()

  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) }
}

describe('Empower routes', () => {
  it('serves provider totals, with the caller tenant', async () => {
    const { status, body } = await json('/empower/providers/101/totals')

    expect(status).toBe(200)
    expect(body).toMatchObject({ providerId: 101, clientId: api.client.clientId })
    expect(body).toHaveProperty('reviews')
  })

  it('answers 404 JSON to an unknown provider', async () => {
    const { status, body } = await json('/empower/providers/999/totals')

    expect(status).toBe(404)
    expect(body).toEqual({ message: 'Provider not found' })
  })

  it('pages rollups as a bare array with offset and limit', async () => {
    const first = await json('/empower/rollups?offset=0&limit=10')
    const last = await json('/empower/rollups?offset=20&limit=10')

    expect(first.body).toHaveLength(10)
    expect(last.body).toHaveLength(5)
    expect((last.body as Array<{ id: number }>)[0]?.id).toBe(21)
  })

  it('answers totals of the posted provider ids', async () => {
    const { status, body } = await json('/empower/providers/totals', {
      method: 'POST',
      body: JSON.stringify([101, '103', 999]),
    })

    expect(status).toBe(200)
    expect((body as Array<{ providerId: number }>).map((one) => one.providerId)).toEqual([101, 103])
  })

  it('refuses a body that is not an array of ids', async () => {
    const notJson = await json('/empower/locations/totals', { method: 'POST', body: '{oops' })
    const junk = await json('/empower/locations/totals', { method: 'POST', body: '[1, "x"]' })

    expect(notJson.status).toBe(400)
    expect(junk.status).toBe(422)
  })
})

describe('rules', () => {
  it('creates a rule that a later GET shows', async () => {
    const created = await json('/rules', {
      method: 'POST',
      body: JSON.stringify({ name: 'New rule', condition: 'rating < 2' }),
    })
    const id = (created.body as { id: number }).id
    const fetched = await json(`/rules/${id}`)

    expect(created.status).toBe(201)
    expect(fetched.body).toMatchObject({ id, name: 'New rule', enabled: true })
  })

  it('deletes with 204, then answers 404', async () => {
    expect((await call('/rules/1', { method: 'DELETE' })).status).toBe(204)
    expect((await call('/rules/1')).status).toBe(404)
  })

  it('answers 422 to a rule without a name', async () => {
    const { status } = await json('/rules', { method: 'POST', body: JSON.stringify({}) })

    expect(status).toBe(422)
  })
})

describe('authentication', () => {
  it('answers 401 without a bearer token', async () => {
    const response = await call('/users', {}, null)

    expect(response.status).toBe(401)
    expect(api.counters.unauthorized).toBe(1)
  })

  it('answers 401 to a revoked token', async () => {
    const revoked = await api.issueToken()

    api.revoke(revoked)

    expect((await call('/users', {}, revoked)).status).toBe(401)
    expect((await call('/users')).status).toBe(200)
  })
})
