import type { AugmentedRequest } from '@apollo/datasource-rest'
import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache'
import { LoyalAuth } from '@loyal-auth/core'
import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { apolloMajors, type GraphQLServer } from './support/apollo-majors.js'
import { EmpowerAPI, MemoisingEmpowerAPI, resolvers, typeDefs } from './support/empower-api.js'

describe.each(apolloMajors)('LoyalDataSource on Apollo Server $major', ({ serve }) => {
  let api: LoyalApi
  let server: GraphQLServer
  let auth: LoyalAuth
  let cache: InMemoryLRUCache
  let makeDataSource: () => EmpowerAPI

  beforeAll(async () => {
    api = await startLoyalApi()
    server = await serve({
      typeDefs,
      resolvers,
      context: async () => ({ empower: makeDataSource() }),
    })
  })

  afterAll(async () => {
    await server.stop()
    await api.close()
  })

  beforeEach(() => {
    api.reset()
    auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url })
    cache = new InMemoryLRUCache()
    makeDataSource = () => new EmpowerAPI({ auth, cache })
  })

  afterEach(async () => {
    await auth.close()
  })

  function callsTo(method: string, path: string) {
    return api.requests.filter((one) => one.method === method && one.path === path)
  }

  describe('requests', () => {
    it('sends exactly one bearer of its LoyalAuth on a relative path under the base URL', async () => {
      const reply = await server.post('{ rollup(id: 1) { id name clientId } }')
      const token = await auth.getToken()

      expect(reply.body.errors).toBeUndefined()
      expect(reply.body.data?.rollup).toMatchObject({ id: 1, clientId: api.client.clientId })
      expect(callsTo('GET', '/empower/rollups/1').map((one) => one.authorization)).toEqual([
        [`Bearer ${token.value}`],
      ])
    })

    it('sends through the fetch it was given, bearer included', async () => {
      const seen: string[] = []
      const fetch = (url: string, init?: RequestInit) => {
        seen.push(`${init?.method} ${url} ${new Headers(init?.headers).has('authorization')}`)

        return globalThis.fetch(url, init)
      }

      makeDataSource = () => new EmpowerAPI({ auth, cache, fetch })

      const reply = await server.post('{ rollup(id: 2) { id } }')

      expect(reply.body).toEqual({ data: { rollup: { id: 2 } } })
      expect(seen).toEqual([`GET ${api.url}/empower/rollups/2 true`])
    })

    it('sends no bearer when a subclass moves the resolved URL to another origin', async () => {
      const other = await startLoyalApi()

      class Moved extends EmpowerAPI {
        protected override resolveURL(path: string, request: AugmentedRequest): URL {
          const url = super.resolveURL(path, request)

          url.host = new URL(other.url).host

          return url
        }
      }

      try {
        makeDataSource = () => new Moved({ auth, cache })
        await server.post('{ rollup(id: 3) { id } }')

        const calls = other.requests.filter((one) => one.path === '/empower/rollups/3')
        expect(calls.map((one) => one.authorization)).toEqual([[]])
      } finally {
        await other.close()
      }
    })

    it('pages rollups with offset and limit as query parameters', async () => {
      const reply = await server.post('{ rollups(offset: 5, limit: 3) { id } }')

      expect(reply.body.data?.rollups).toEqual([{ id: 6 }, { id: 7 }, { id: 8 }])
      expect(callsTo('GET', '/empower/rollups')[0]?.url).toBe('/empower/rollups?offset=5&limit=3')
    })

    it('posts a JSON array of ids to the batch route POST /empower/providers/totals', async () => {
      const reply = await server.post('{ providerTotals(ids: [101, 103]) { providerId reviews } }')
      const [call] = callsTo('POST', '/empower/providers/totals')

      expect(reply.body.errors).toBeUndefined()
      expect(reply.body.data?.providerTotals).toEqual([
        { providerId: 101, reviews: expect.any(Number) },
        { providerId: 103, reviews: expect.any(Number) },
      ])
      expect(call?.body).toBe('[101,103]')
      expect(call?.headers['content-type']).toBe('application/json')
      expect(call?.authorization).toHaveLength(1)
    })
  })

  describe('bearer only to the API origin', () => {
    let elsewhere: LoyalApi

    beforeAll(async () => {
      elsewhere = await startLoyalApi()
    })

    afterAll(async () => {
      await elsewhere.close()
    })

    it('sends no bearer to an absolute URL on another origin', async () => {
      const reply = await server.post(`{ visit(url: "${elsewhere.url}/echo") }`)

      expect(reply.body).toEqual({ data: { visit: true } })
      expect(elsewhere.requests.at(-1)?.authorization).toEqual([])
    })

    it('sends no bearer past a redirect to another origin', async () => {
      const to = encodeURIComponent(`${elsewhere.url}/echo`)
      const reply = await server.post(`{ visit(url: "redirect?to=${to}") }`)

      expect(reply.body).toEqual({ data: { visit: true } })
      expect(callsTo('GET', '/redirect')[0]?.authorization).toHaveLength(1)
      expect(elsewhere.requests.at(-1)?.authorization).toEqual([])
    })
  })

  describe('after a 401 (C14)', () => {
    it('refreshes once and replays the GET, and the replay reaches the API', async () => {
      const first = await auth.getToken()

      api.faults.route('/empower/rollups/1', { status: 401, times: 1 })

      const reply = await server.post('{ rollup(id: 1) { id } }')
      const second = await auth.getToken()

      expect(reply.body).toEqual({ data: { rollup: { id: 1 } } })
      expect(second.value).not.toBe(first.value)
      expect(api.counters.tokenRequests).toBe(2)
      expect(callsTo('GET', '/empower/rollups/1').map((one) => one.authorization)).toEqual([
        [`Bearer ${first.value}`],
        [`Bearer ${second.value}`],
      ])
    })

    it('answers UNAUTHENTICATED when the replay gets a 401 too, after one refresh', async () => {
      api.faults.route('/empower/rollups/1', { status: 401 })

      const reply = await server.post('{ rollup(id: 1) { id } }')

      expect(reply.body.data?.rollup).toBeNull()
      expect(reply.body.errors?.[0]?.extensions).toMatchObject({
        code: 'UNAUTHENTICATED',
        status: 401,
        method: 'GET',
        path: '/empower/rollups/1',
      })
      expect(callsTo('GET', '/empower/rollups/1')).toHaveLength(2)
      expect(api.counters.tokenRequests).toBe(2)
    })
  })

  describe('failures are never memoised (C14)', () => {
    it('does not keep a failed answer in the cache, whatever its cache headers', async () => {
      api.faults.route('/empower/rollups/1', {
        status: 404,
        times: 1,
        headers: { 'cache-control': 'public, max-age=600' },
      })

      const failed = await server.post('{ cachedRollup(id: 1) { id } }')
      const next = await server.post('{ cachedRollup(id: 1) { id } }')

      expect(failed.body.errors?.[0]?.extensions?.code).toBe('NOT_FOUND')
      expect(next.body).toEqual({ data: { cachedRollup: { id: 1 } } })
      expect(callsTo('GET', '/empower/rollups/1')).toHaveLength(2)
    })

    it('does not hand a failed GET to a later call, even when GETs are memoised', async () => {
      makeDataSource = () => new MemoisingEmpowerAPI({ auth, cache })
      api.faults.route('/empower/rollups/1', { status: 503, times: 1 })

      const reply = await server.post('{ rollupSecondTry(id: 1) { id } }')

      expect(reply.body).toEqual({ data: { rollupSecondTry: { id: 1 } } })
      expect(callsTo('GET', '/empower/rollups/1')).toHaveLength(2)
    })

    it('shows new data on a GET after a POST to the same resource', async () => {
      const before = await server.post('{ rules { name } }')
      const created = await server.post(
        'mutation { createRule(name: "Night shift", condition: "hour > 22") { id name } }'
      )
      const after = await server.post('{ rules { name } }')
      const again = await server.post('{ rules { name } }')

      expect(created.body.errors).toBeUndefined()
      expect(before.body.data?.rules).toHaveLength(2)
      expect(after.body.data?.rules).toEqual([
        ...((before.body.data?.rules ?? []) as object[]),
        { name: 'Night shift' },
      ])
      expect(again.body).toEqual(after.body)
      // The first GET was cached, the POST dropped it, the third GET was cached again.
      expect(callsTo('GET', '/rules')).toHaveLength(2)
    })
  })

  describe('errors', () => {
    it('maps a 403 to FORBIDDEN with the scope the API asked for', async () => {
      const apiKey = 'loyal_test_rules_blind'

      api.addClient({ apiKey, scopes: ['empower:read'] })
      await auth.close()
      auth = new LoyalAuth({ apiKey, baseUrl: api.url })

      const reply = await server.post('{ rules { id } }')

      expect(reply.body.errors?.[0]?.extensions).toMatchObject({
        code: 'FORBIDDEN',
        status: 403,
        required: ['rules:read'],
        path: '/rules',
      })
      expect(api.counters.tokenRequests).toBe(1)
    })

    it('refuses a mutation with FORBIDDEN before any request when a scope is missing', async () => {
      const apiKey = 'loyal_test_read_only'

      api.addClient({ apiKey, scopes: ['empower:read', 'rules:read'] })
      await auth.close()
      auth = new LoyalAuth({ apiKey, baseUrl: api.url })

      const reply = await server.post('mutation { createRule(name: "x", condition: "y") { id } }')

      expect(reply.body.errors?.[0]?.extensions).toMatchObject({
        code: 'FORBIDDEN',
        required: ['rules:write'],
      })
      expect(callsTo('POST', '/rules')).toHaveLength(0)
    })

    it('maps a 400 to BAD_REQUEST with the API message', async () => {
      const reply = await server.post('{ rollups(offset: 0, limit: 1000) { id } }')
      const [error] = reply.body.errors ?? []

      expect(error?.extensions).toMatchObject({ code: 'BAD_REQUEST', status: 400 })
      expect(error?.message).toContain('"limit" must be an integer')
    })

    it('maps a 530 to UPSTREAM_ERROR with its message', async () => {
      api.faults.route('/empower/rollups/1', { status: 530 })

      const reply = await server.post('{ rollup(id: 1) { id } }')
      const [error] = reply.body.errors ?? []

      expect(error?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', status: 530 })
      expect(error?.message).toContain('temporarily unavailable')
    })

    it('maps a 429 to UPSTREAM_ERROR with retryAfter in ms, from seconds or an HTTP date', async () => {
      api.faults.route('/empower/rollups/1', { status: 429, retryAfter: 7, times: 1 })
      api.faults.route('/empower/rollups/2', {
        status: 429,
        retryAfter: new Date(Date.now() + 30_000),
        times: 1,
      })

      const [seconds] = (await server.post('{ rollup(id: 1) { id } }')).body.errors ?? []
      const [date] = (await server.post('{ rollup(id: 2) { id } }')).body.errors ?? []

      expect(seconds?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', retryAfter: 7_000 })
      expect(date?.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', status: 429 })
      // Read against the response's Date (one-second resolution, and the test may be slow).
      expect(date?.extensions?.retryAfter).toBeGreaterThanOrEqual(20_000)
      expect(date?.extensions?.retryAfter).toBeLessThanOrEqual(30_000)
    })

    it('maps a token endpoint outage to LOYAL_TOKEN_ENDPOINT_UNAVAILABLE', async () => {
      await auth.close()
      auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url, retry: { attempts: 1 } })
      api.faults.token({ status: 503 })

      const reply = await server.post('{ rollup(id: 1) { id } }')

      expect(reply.body.errors?.[0]?.extensions?.code).toBe('LOYAL_TOKEN_ENDPOINT_UNAVAILABLE')
      expect(callsTo('GET', '/empower/rollups/1')).toHaveLength(0)
    })

    it('maps a refused API key to LOYAL_INVALID_API_KEY', async () => {
      await auth.close()
      auth = new LoyalAuth({ apiKey: 'loyal_test_unknown', baseUrl: api.url })

      const reply = await server.post('{ rollup(id: 1) { id } }')

      expect(reply.body.errors?.[0]?.extensions?.code).toBe('LOYAL_INVALID_API_KEY')
    })
  })

  describe('secrets (C16)', () => {
    it('keeps token and key out of the response when the token endpoint echoes the request', async () => {
      await auth.close()
      auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url, retry: { attempts: 1 } })
      api.faults.token({ status: 500, echo: true })

      const reply = await server.post('{ rollup(id: 1) { id } }')

      expect(reply.body.errors?.length).toBeGreaterThan(0)
      expect(reply.text).not.toContain(api.apiKey)
    })

    it('keeps token and key out of the response when the API echoes them in an error', async () => {
      const token = await auth.getToken()

      api.faults.route('/empower/rollups/1', {
        status: 530,
        body: { message: `Refused token=${token.value} key=${api.apiKey}` },
      })

      const reply = await server.post('{ rollup(id: 1) { id } }')

      expect(reply.body.errors?.[0]?.extensions?.code).toBe('UPSTREAM_ERROR')
      expect(reply.text).toContain('stacktrace')
      // Not even the start of it: a message cut short must not leave half a token behind.
      expect(reply.text).not.toContain(token.value.slice(0, 60))
      expect(reply.text).not.toContain(api.apiKey)
    })

    it('keeps the token out of a FORBIDDEN answer', async () => {
      const apiKey = 'loyal_test_no_rules'

      api.addClient({ apiKey, scopes: ['empower:read'] })
      await auth.close()
      auth = new LoyalAuth({ apiKey, baseUrl: api.url })

      const reply = await server.post('{ rules { id } }')
      const token = await auth.getToken()

      expect(reply.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN')
      expect(reply.text).not.toContain(token.value)
      expect(reply.text).not.toContain(apiKey)
    })
  })
})
