import { createLoyalAxios } from '@loyal-auth/axios'
import { LoyalAuth } from '@loyal-auth/core'
import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'
import axios, { type AxiosAdapter } from 'axios'
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

/**
 * Holds each of the first `count` answers until all of them are in, then lets everything
 * through: the clients see their 401s at once, and only after all of them sent T1. An event,
 * where a delay at the API was an instant a busy machine could miss.
 */
function barrier(count: number): <T>(answer: T) => Promise<T> {
  let arrived = 0
  let open: () => void = () => {}
  const opened = new Promise<void>((resolve) => {
    open = resolve
  })

  return async (answer) => {
    arrived += 1
    if (arrived === count) open()
    await opened

    return answer
  }
}

/** Axios's own HTTP adapter, with its answers (and failures: a 401) passed through `hold`. */
function heldAdapter(hold: <T>(answer: T) => Promise<T>): AxiosAdapter {
  const http = axios.getAdapter('http')

  return (config) =>
    http(config).then(hold, async (error: unknown) => {
      throw await hold(error)
    })
}

describe.each(apolloMajors)(
  'one credential, many clients on Apollo Server $major (C02)',
  ({ serve }) => {
    let api: LoyalApi
    let server: GraphQLServer
    let auth: LoyalAuth
    let dataSourceFetch: typeof fetch

    beforeAll(async () => {
      api = await startLoyalApi()
      server = await serve({
        typeDefs,
        resolvers,
        context: async () => ({ empower: new EmpowerAPI({ auth, fetch: dataSourceFetch }) }),
      })
    })

    afterAll(async () => {
      await server.stop()
      await api.close()
    })

    beforeEach(() => {
      api.reset()
      auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url })
      dataSourceFetch = globalThis.fetch
    })

    afterEach(async () => {
      await auth.close()
    })

    it('answers a 401 to two axios instances and a data source with one token request', async () => {
      const first = await auth.getToken()
      const hold = barrier(3)
      const adapter = heldAdapter(hold)
      const [north, south] = [
        createLoyalAxios(auth, { adapter }),
        createLoyalAxios(auth, { adapter }),
      ]
      dataSourceFetch = async (url, init) => hold(await globalThis.fetch(url, init))

      api.revoke(first.value)

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
