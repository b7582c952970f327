import { inspect } from 'node:util'
import type { AugmentedRequest, RequestOptions } from '@apollo/datasource-rest'
import { LoyalAuth } from '@loyal-auth/core'
import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'
import { GraphQLError } from 'graphql'
import nodeFetch from 'node-fetch'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { apolloMajors, type GraphQLServer } from './support/apollo-majors.js'
import { EmpowerAPI, resolvers, typeDefs } from './support/empower-api.js'

/** Whatever the promise rejected with (fails the test when it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('the call should have failed'),
    (error: unknown) => error
  )
}

/** The URL of an API that has closed: a connection to it is refused. */
async function closedUrl(): Promise<string> {
  const gone = await startLoyalApi()
  await gone.close()

  return gone.url
}

/** The user's own `willSendRequest` refuses a route before any request is made. */
class TenantGuarded extends EmpowerAPI {
  failure: unknown = new Error('no tenant selected')

  protected override willSendRequest(path: string): void {
    if (path.includes('rollups/3')) throw this.failure
  }
}

describe('who failed decides how a failure is reported', () => {
  let api: LoyalApi
  let auth: LoyalAuth

  beforeAll(async () => {
    api = await startLoyalApi()
  })

  afterAll(() => api.close())

  beforeEach(() => {
    api.reset()
    auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url })
  })

  afterEach(() => auth.close())

  describe('an error of the user’s own code', () => {
    it('comes out of willSendRequest unchanged, and no request is made', async () => {
      const empower = new TenantGuarded({ auth })
      const failure = empower.failure

      const error = await rejection(empower.rollup(3))

      expect(error).toBe(failure)
      expect(error).not.toBeInstanceOf(GraphQLError)
      expect((error as Error).message).toBe('no tenant selected')
      expect(api.counters.paths['/empower/rollups/3']).toBeUndefined()
    })

    it('is not the API’s even when it is a fetch failure of the user’s own', async () => {
      const elsewhere = await closedUrl()

      class Looking extends EmpowerAPI {
        protected override async willSendRequest(): Promise<void> {
          await fetch(`${elsewhere}/tenants/current`)
        }
      }

      const error = await rejection(new Looking({ auth }).rollup(1))

      expect(error).toBeInstanceOf(TypeError)
      expect((error as Error).message).toBe('fetch failed')
      expect(api.counters.paths['/empower/rollups/1']).toBeUndefined()
    })

    it.each([
      ['resolveURL', 'resolveURL'],
      ['cacheKeyFor', 'cacheKeyFor'],
      ['parseBody', 'parseBody'],
    ])('comes out of a %s override unchanged', async (_name, hook) => {
      const failure = new RangeError(`${hook} refused`)

      class Broken extends EmpowerAPI {
        protected override resolveURL(path: string, request: AugmentedRequest): URL {
          if (hook === 'resolveURL') throw failure
          return super.resolveURL(path, request)
        }

        protected override cacheKeyFor(url: URL, request: RequestOptions): string {
          if (hook === 'cacheKeyFor') throw failure
          return super.cacheKeyFor(url, request)
        }

        protected override parseBody(response: Parameters<EmpowerAPI['parseBody']>[0]) {
          if (hook === 'parseBody') return Promise.reject(failure)
          return super.parseBody(response)
        }
      }

      expect(await rejection(new Broken({ auth }).rollup(1))).toBe(failure)
    })

    it('comes out of the fetch option unchanged when it is no transport failure', async () => {
      const failure = new Error('circuit open')
      const empower = new EmpowerAPI({ auth, fetch: () => Promise.reject(failure) })

      expect(await rejection(empower.rollup(1))).toBe(failure)
    })

    it('keeps its identity but loses any key or token it quotes, stack included', async () => {
      const token = await auth.getToken()
      const empower = new TenantGuarded({ auth })
      const failure = new Error(`tenant of ${token.value} (key ${api.apiKey}) unknown`)
      empower.failure = failure

      const error = await rejection(empower.rollup(3))

      expect(error).toBe(failure)
      for (const text of [failure.message, failure.stack ?? '', inspect(failure)]) {
        expect(text).toContain('unknown')
        expect(text).not.toContain(token.value)
        expect(text).not.toContain(api.apiKey)
      }
    })

    it('becomes INTERNAL_SERVER_ERROR without the key when it is frozen', async () => {
      const empower = new TenantGuarded({ auth })
      empower.failure = Object.freeze(new Error(`key ${api.apiKey} unknown`))

      const error = (await rejection(empower.rollup(3))) as GraphQLError

      expect(error).toBeInstanceOf(GraphQLError)
      expect(error.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' })
      expect(error.originalError).toBe(empower.failure)
      for (const text of [error.message, error.stack ?? '', inspect(error)]) {
        expect(text).toContain('unknown')
        expect(text).not.toContain(api.apiKey)
      }
    })

    it('loses the key when it is a thrown string', async () => {
      const empower = new TenantGuarded({ auth })
      empower.failure = `key ${api.apiKey} unknown`

      expect(await rejection(empower.rollup(3))).toBe('key [redacted] unknown')
    })

    it('is the reason the user’s own signal was aborted with', async () => {
      api.faults.route('/empower/rollups/1', { hang: true })
      const controller = new AbortController()
      const reason = new Error('the client went away')
      await auth.getToken()

      const pending = rejection(new EmpowerAPI({ auth }).rollupUntil(1, controller.signal))
      setTimeout(() => controller.abort(reason), 20)

      expect(await pending).toBe(reason)
    })
  })

  describe('an answer of the API that cannot be read', () => {
    it('is UPSTREAM_ERROR saying the answer could not be read, with the status', async () => {
      api.faults.route('/empower/rollups/2', {
        status: 200,
        body: '{"id": 2,',
        headers: { 'content-type': 'application/json' },
      })

      const error = (await rejection(new EmpowerAPI({ auth }).rollup(2))) as GraphQLError

      expect(error).toBeInstanceOf(GraphQLError)
      expect(error.extensions).toEqual({
        code: 'UPSTREAM_ERROR',
        status: 200,
        method: 'GET',
        path: '/empower/rollups/2',
      })
      expect(error.message).toMatch(
        /^The Loyal API's answer to GET \/empower\/rollups\/2 could not be read: /
      )
      expect(error.message).not.toContain('could not be reached')
    })

    it('keeps the code of a failed status whose body cannot be read', async () => {
      api.faults.route('/empower/rollups/2', {
        status: 404,
        body: '<html>gone',
        headers: { 'content-type': 'application/json' },
      })

      const error = (await rejection(new EmpowerAPI({ auth }).rollup(2))) as GraphQLError

      expect(error.extensions).toMatchObject({ code: 'NOT_FOUND', status: 404 })
    })

    it('quotes nothing of the body, which may echo a key or token', async () => {
      const token = await auth.getToken()
      api.faults.route('/empower/rollups/2', {
        status: 200,
        body: `${api.apiKey} ${token.value}`,
        headers: { 'content-type': 'application/json' },
      })

      const error = (await rejection(new EmpowerAPI({ auth }).rollup(2))) as GraphQLError

      for (const text of [error.message, error.stack ?? '', JSON.stringify(error)]) {
        expect(text).toContain('could not be read')
        expect(text).not.toContain(api.apiKey.slice(0, 8))
        expect(text).not.toContain(token.value.slice(0, 20))
      }
    })
  })

  describe('a transport failure', () => {
    /** A LoyalAuth that holds a token for an API that has gone away since. */
    async function authOfClosedApi(): Promise<LoyalAuth> {
      const gone = await startLoyalApi()
      const stale = new LoyalAuth({ apiKey: gone.apiKey, baseUrl: gone.url })

      await stale.getToken()
      await gone.close()

      return stale
    }

    it.each([
      ['the global fetch', undefined],
      ['node-fetch', nodeFetch],
    ])('is UPSTREAM_ERROR saying the API could not be reached, through %s', async (_, fetch) => {
      const stale = await authOfClosedApi()

      try {
        const empower = new EmpowerAPI({ auth: stale, ...(fetch && { fetch }) })
        const error = (await rejection(empower.rollup(1))) as GraphQLError

        expect(error).toBeInstanceOf(GraphQLError)
        expect(error.extensions).toEqual({
          code: 'UPSTREAM_ERROR',
          method: 'GET',
          path: '/empower/rollups/1',
        })
        expect(error.message).toMatch(
          /^The Loyal API could not be reached for GET \/empower\/rollups\/1: .*\(ECONNREFUSED\)$/
        )
      } finally {
        await stale.close()
      }
    })

    it('quotes neither the URL nor its query, which node-fetch’s message holds', async () => {
      const stale = await authOfClosedApi()

      try {
        const empower = new EmpowerAPI({ auth: stale, fetch: nodeFetch })
        const error = (await rejection(empower.visit('users?ssn=078-05-1120'))) as GraphQLError

        expect(error.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', path: '/users' })
        for (const text of [error.message, error.stack ?? '', JSON.stringify(error)]) {
          expect(text).not.toContain('078-05-1120')
          expect(text).not.toContain('127.0.0.1')
        }
      } finally {
        await stale.close()
      }
    })

    it('is UPSTREAM_ERROR when the request is aborted while the API keeps silent', async () => {
      api.faults.route('/empower/rollups/1', { hang: true })
      await auth.getToken()

      const error = (await rejection(
        new EmpowerAPI({ auth }).rollupUntil(1, AbortSignal.timeout(50))
      )) as GraphQLError

      expect(error.extensions).toMatchObject({ code: 'UPSTREAM_ERROR', path: '/empower/rollups/1' })
      expect(error.message).toContain('could not be reached')
    })
  })
})

describe.each(apolloMajors)('failures through Apollo Server $major', ({ serve }) => {
  let api: LoyalApi
  let auth: LoyalAuth
  let server: GraphQLServer
  let failure: unknown

  class Guarded extends EmpowerAPI {
    protected override willSendRequest(path: string): void {
      if (path.includes('rollups/3')) throw failure
    }
  }

  beforeAll(async () => {
    api = await startLoyalApi()
    server = await serve({
      typeDefs,
      resolvers,
      context: async () => ({ empower: new Guarded({ auth }) }),
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

  afterEach(() => auth.close())

  it('reports an error of the user’s own code as Apollo does: INTERNAL_SERVER_ERROR', async () => {
    failure = new Error('no tenant selected')

    const reply = await server.post('{ rollup(id: 3) { id } }')

    expect(reply.body.errors?.[0]).toMatchObject({
      message: 'no tenant selected',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    })
  })

  it('keeps key and token out of the answer to an error of the user’s own code', async () => {
    const token = await auth.getToken()
    failure = new Error(`no tenant for Bearer ${token.value} / ${api.apiKey}`)

    const reply = await server.post('{ rollup(id: 3) { id } }')

    expect(reply.body.errors?.[0]?.extensions?.code).toBe('INTERNAL_SERVER_ERROR')
    expect(reply.text).toContain('stacktrace')
    expect(reply.text).not.toContain(token.value.slice(0, 60))
    expect(reply.text).not.toContain(api.apiKey)
  })

  it('keeps key and token out of the answer to a body that cannot be read', async () => {
    const token = await auth.getToken()
    api.faults.route('/empower/rollups/2', {
      status: 200,
      body: `${api.apiKey}, ${token.value}`,
      headers: { 'content-type': 'application/json' },
    })

    const reply = await server.post('{ rollup(id: 2) { id } }')

    expect(reply.body.errors?.[0]?.extensions).toMatchObject({
      code: 'UPSTREAM_ERROR',
      status: 200,
    })
    expect(reply.text).toContain('stacktrace')
    expect(reply.text).not.toContain(token.value.slice(0, 20))
    expect(reply.text).not.toContain(api.apiKey.slice(0, 8))
  })
})
