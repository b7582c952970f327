import {
  errorFromResponse,
  isLoyalError,
  LoyalAuth,
  type LoyalError,
  parseToken,
} from '@loyal-auth/core'
import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'
import type { NextFunction, Request, Response } from 'express'
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest'
import { loyal, loyalErrorHandler } from '../src/index.js'
import { closeAfterEach } from './helpers/close-after-each.js'
import { expressMajors } from './helpers/majors.js'
import { closedPortUrl, serve, settle } from './helpers/serve.js'

// Fast failures: one attempt per token request, no cooldown between tests.
const quickFailure = { retry: { attempts: 1 }, timeoutDuration: 500 }

let api: LoyalApi
const unhandled: unknown[] = []
const onUnhandled = (reason: unknown): void => void unhandled.push(reason)

beforeAll(async () => {
  api = await startLoyalApi()
  process.on('unhandledRejection', onUnhandled)
})

afterAll(async () => {
  process.off('unhandledRejection', onUnhandled)
  await api.close()
})

describe.each(expressMajors)('loyal() on %s', (_major, express) => {
  const track = closeAfterEach()

  function authFor(options: Partial<ConstructorParameters<typeof LoyalAuth>[0]> = {}): LoyalAuth {
    return track(new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url, ...options }))
  }

  beforeEach(() => {
    api.reset()
    unhandled.length = 0
  })

  /** An app counting what reaches the route and the error handler. */
  async function countingApp(auth: LoyalOptionsAuth) {
    const seen = { route: 0, errors: [] as unknown[] }
    const app = express()

    app.use(loyal({ auth }))
    app.get('/whoami', (req, res) => {
      seen.route++
      res.json({ clientId: req.loyal.token.clientId })
    })
    app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
      seen.errors.push(error)
      res.status(isLoyalError(error) ? error.httpStatus : 500).json({ failed: true })
    })

    return { seen, served: track(await serve(app)) }
  }

  it('C01: 100 concurrent requests on a cold cache make one token request', async () => {
    api.faults.token({ delay: 100, times: 1 })

    const { seen, served } = await countingApp(authFor())
    const responses = await Promise.all(
      Array.from({ length: 100 }, () => fetch(`${served.url}/whoami`))
    )

    expect(responses.map((response) => response.status)).toEqual(Array(100).fill(200))
    expect(api.counters.tokenRequests).toBe(1)
    expect(seen.route).toBe(100)
  })

  it('calls next() synchronously when a usable token is cached', async () => {
    const auth = authFor()
    const token = await auth.getToken()
    const req = {} as Request
    const next = vi.fn()

    loyal({ auth })(req, {} as Response, next)

    expect(next).toHaveBeenCalledTimes(1)
    expect(next).toHaveBeenCalledWith()
    expect(req.loyal.token).toBe(token)
    expect(req.loyal.auth).toBe(auth)
  })

  it('gives handlers a bound fetch and can()', async () => {
    const app = express()

    app.use(loyal({ auth: authFor() }))
    app.get('/rollups', async (req, res, next) => {
      try {
        const { fetch, can } = req.loyal
        const upstream = await fetch('/empower/rollups?limit=2')

        res.json({ rows: await upstream.json(), canWrite: can('write', 'rules') })
      } catch (error) {
        next(error)
      }
    })

    const served = track(await serve(app))
    const body = await (await fetch(`${served.url}/rollups`)).json()

    expect(body.rows).toHaveLength(2)
    expect(body.canWrite).toBe(true)
  })

  it('C15: calls next() once on success', async () => {
    const { seen, served } = await countingApp(authFor())

    expect((await fetch(`${served.url}/whoami`)).status).toBe(200)
    await settle()

    expect(seen).toEqual({ route: 1, errors: [] })
  })

  it.each([
    ['is down', async () => ({ baseUrl: await closedPortUrl() }), 'token_endpoint_unavailable'],
    [
      'answers 503',
      async () => api.faults.token({ status: 503 }) && {},
      'token_endpoint_unavailable',
    ],
    ['answers HTML', async () => api.faults.token({ malformed: 'not-json' }) && {}, undefined],
    ['answers a non-JWT', async () => api.faults.token({ malformed: 'not-jwt' }) && {}, undefined],
    [
      'refuses the key',
      async () => api.faults.token({ authenticated: false }) && {},
      'invalid_api_key',
    ],
  ])(
    'C15: when the token server %s, next(err) runs once with a LoyalError',
    async (_case, setup, code) => {
      const options = await setup()
      const { seen, served } = await countingApp(authFor({ ...quickFailure, ...options }))
      const consoleError = vi.spyOn(console, 'error')

      const response = await fetch(`${served.url}/whoami`)

      await settle()

      expect(response.status).toBe(502)
      expect(seen.route).toBe(0)
      expect(seen.errors).toHaveLength(1)
      expect(isLoyalError(seen.errors[0])).toBe(true)

      if (code !== undefined) expect((seen.errors[0] as LoyalError).code).toBe(code)

      expect(unhandled).toEqual([])
      expect(consoleError).not.toHaveBeenCalled()
      consoleError.mockRestore()
    }
  )

  it("answers a refused key with 502 through Express's own error handler", async () => {
    api.faults.token({ status: 401, times: 1 })
    const app = express()

    app.use(loyal({ auth: authFor(quickFailure) }))
    app.get('/whoami', (_req, res) => void res.end())

    const served = track(await serve(app))
    const response = await fetch(`${served.url}/whoami`)
    const body = await response.text()

    expect(response.status).toBe(502)
    expect(body).not.toContain(api.apiKey)
  })

  it('C15: a route that throws after a cold start reaches the error handler once', async () => {
    const errors: unknown[] = []
    const app = express()
    const failure = new Error('route failed')

    app.use(loyal({ auth: authFor() }))
    app.get('/boom', () => {
      throw failure
    })
    app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
      errors.push(error)
      res.status(500).end()
    })

    const served = track(await serve(app))

    expect((await fetch(`${served.url}/boom`)).status).toBe(500)
    await settle()
    expect(errors).toEqual([failure])
    expect(unhandled).toEqual([])
  })

  it('keeps tenants apart: each one’s upstream calls carry its own token', async () => {
    const tenantA = api.addClient({ apiKey: `tenant-a-${Math.random()}`, clientId: 'tenant-a' })
    const tenantB = api.addClient({ apiKey: `tenant-b-${Math.random()}`, clientId: 'tenant-b' })
    const tenants = new Map([
      ['a', authFor({ apiKey: tenantA.apiKey })],
      ['b', authFor({ apiKey: tenantB.apiKey })],
    ])
    const app = express()

    app.use(loyal({ auth: (req) => tenants.get(String(req.headers['x-tenant']))! }))
    app.get('/rollups', async (req, res, next) => {
      try {
        const tag = String(req.headers['x-tenant'])
        const upstream = await req.loyal.fetch(`/empower/rollups?tenant=${tag}`)

        res.json({ status: upstream.status, clientId: req.loyal.token.clientId })
      } catch (error) {
        next(error)
      }
    })

    const served = track(await serve(app))
    const order = ['a', 'b', 'a', 'b', 'b', 'a', 'a', 'b']
    const bodies = await Promise.all(
      order.map(async (tenant) => {
        const response = await fetch(`${served.url}/rollups`, { headers: { 'x-tenant': tenant } })

        return response.json()
      })
    )

    expect(bodies.map((body) => body.clientId)).toEqual(order.map((t) => `tenant-${t}`))
    expect(api.counters.tokenRequests).toBe(2)

    for (const request of api.requests.filter((r) => r.kind === 'api')) {
      const tenant = new URL(request.url, api.url).searchParams.get('tenant')
      const bearer = request.authorization[0]!.slice('Bearer '.length)

      expect(parseToken(bearer).clientId).toBe(`tenant-${tenant}`)
    }
  })

  it('passes what an auth function throws to next(err), untouched', async () => {
    const unknownTenant = new Error('unknown tenant')
    const { seen, served } = await countingApp(() => {
      throw unknownTenant
    })

    await fetch(`${served.url}/whoami`)

    expect(seen.errors).toEqual([unknownTenant])
  })

  it('accepts an auth function returning a promise', async () => {
    const auth = authFor()
    const { seen, served } = await countingApp(async () => auth)

    expect((await fetch(`${served.url}/whoami`)).status).toBe(200)
    expect(seen.route).toBe(1)
  })

  it('reports an auth function returning no LoyalAuth as a config error', async () => {
    const { seen, served } = await countingApp(() => undefined as unknown as LoyalAuth)

    expect((await fetch(`${served.url}/whoami`)).status).toBe(500)
    expect((seen.errors[0] as LoyalError).code).toBe('config')
  })

  it.each([
    ['no options', undefined],
    ['options without auth', {}],
    ['an auth that is no LoyalAuth', { auth: { apiKey: 'k' } }],
  ])('throws a config error at setup for %s', (_, options) => {
    const attempt = () => loyal(options as unknown as { auth: LoyalAuth })

    expect(attempt).toThrow(expect.objectContaining({ code: 'config' }))
    expect(attempt).toThrow(/^loyal\(\)/)
  })

  it('says "auth" may be a function of the request', () => {
    expect(() => loyal({ auth: 42 as unknown as LoyalAuth })).toThrow(
      '"auth" must be a LoyalAuth or a function of the request returning one'
    )
  })

  it('C16: a token endpoint echoing the request leaves no secret in the response', async () => {
    api.faults.token({ echo: true, status: 500 })

    const app = express()

    app.use(loyal({ auth: authFor(quickFailure) }))
    app.get('/whoami', (_req, res) => void res.json({}))
    app.use(loyalErrorHandler())

    const served = track(await serve(app))
    const response = await fetch(`${served.url}/whoami`)
    const text = await response.text()

    expect(response.status).toBe(502)
    expect(JSON.parse(text).error).toBe('token_endpoint_unavailable')
    expect(text).not.toContain(api.apiKey)
    expect(text).not.toMatch(/ApiKey\s/)
  })

  it('C16: a 403 from the API, turned into a LoyalError, leaves no secret in the response', async () => {
    const narrow = api.addClient({ apiKey: `narrow-${Math.random()}`, scopes: ['empower:read'] })
    const auth = authFor({ apiKey: narrow.apiKey })
    const app = express()

    app.use(loyal({ auth }))
    app.get('/users', async (req, res, next) => {
      const upstream = await req.loyal.fetch('/users')

      const error = errorFromResponse(upstream, 'GET', '/users', await upstream.clone().json())

      if (error !== undefined) {
        next(error)

        return
      }

      res.json(await upstream.json())
    })
    app.use(loyalErrorHandler())

    const served = track(await serve(app))
    const response = await fetch(`${served.url}/users`)
    const text = await response.text()
    const token = (await auth.getToken()).value

    expect(response.status).toBe(403)
    expect(JSON.parse(text).error).toBe('insufficient_scope')
    expect(text).not.toContain(token)
    expect(text).not.toContain(narrow.apiKey)
  })
})

type LoyalOptionsAuth = Parameters<typeof loyal>[0]['auth']
