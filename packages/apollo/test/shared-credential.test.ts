import { createLoyalAxios } from '@loyal-auth/axios'
import { LoyalAuth } from '@loyal-auth/core'
import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { apolloMajors, type GraphQLServer } from './support/apollo-majors.js'
import { EmpowerAPI, resolvers, typeDefs } from './support/empower-api.js'

/** What the API saw, in order, to explain a failure: kind, status, end of the credential. */
function timeline(api: LoyalApi): string {
  const lines = api.requests.map((request) => {
    const credential = (request.authorization[0] ?? 'none').slice(-6)

    return `${request.receivedAt} ${request.method} ${request.path} ${request.status} …${credential}`
  })

  return lines.join('\n')
}

describe.each(apolloMajors)(
  'one credential, many clients on Apollo Server $major (C02)',
  ({ serve }) => {
    let api: LoyalApi
    let server: GraphQLServer
    let auth: LoyalAuth

    beforeAll(async () => {
      api = await startLoyalApi()
      server = await serve({
        typeDefs,
        resolvers,
        context: async () => ({ empower: new EmpowerAPI({ auth }) }),
      })
    })

    afterAll(async () => {
      await server.stop()
      await api.close()
    })

    beforeEach(() => {
      api.reset()
      auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url })
    })

    afterEach(async () => {
      await auth.close()
    })

    it('answers a 401 to two axios instances and a data source with one token request', async () => {
      const first = await auth.getToken()
      const [north, south] = [createLoyalAxios(auth), createLoyalAxios(auth)]

      api.revoke(first.value)
      // Held at the API so that all three have sent T1 before the first 401 comes back.
      api.faults.route('/empower/rollups/1', { delay: 500, times: 3 })

      const [one, two, three] = await Promise.all([
        north.get('/empower/rollups/1'),
        south.get('/empower/rollups/1'),
        server.post('{ rollup(id: 1) { id } }'),
      ])
      const second = await auth.getToken()
      const sent = api.requests
        .filter((request) => request.path === '/empower/rollups/1')
        .map((request) => request.authorization)

      expect([one.data.id, two.data.id]).toEqual([1, 1])
      expect(three.body).toEqual({ data: { rollup: { id: 1 } } })
      expect(api.counters.tokenRequests, timeline(api)).toBe(2)
      expect(sent.slice(0, 3)).toEqual(Array(3).fill([`Bearer ${first.value}`]))
      expect(sent.slice(3)).toEqual(Array(3).fill([`Bearer ${second.value}`]))
    })
  }
)
