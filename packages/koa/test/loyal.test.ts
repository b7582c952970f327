import {
  errorFromResponse,
  isLoyalError,
  LoyalAuth,
  type LoyalError,
  parseToken,
} from '@loyal-auth/core'
import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'
import type { Context, Next } from 'koa'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type LoyalOptions, loyal, loyalErrorHandler } from '../src/index.js'
import { koaMajors, quietApp } from './helpers/majors.js'
import { closedPortUrl, type Served, serve, settle } from './helpers/serve.js'

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

describe.each(koaMajors)('loyal() on %s', (_major, Koa) => {
  const opened: Array<LoyalAuth | Served> = []

  function track<T extends LoyalAuth | Served>(value: T): T {
    opened.push(value)

    return value
  }

  function authFor(options: Partial<ConstructorParameters<typeof LoyalAuth>[0]> = {}): LoyalAuth {
    return track(new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url, ...options }))
  }

  beforeEach(() => {
    api.reset()
    unhandled.length = 0
  })

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((item) => item.close()))
  })

  /** catcher -> loyal() -> route; the catcher records what comes back up. */
  async function countingApp(auth: LoyalOptions['auth'], route?: (ctx: Context) => unknown) {
    const seen = { route: 0, errors: [] as unknown[] }
    const app = quietApp(Koa)

    app.use(async (ctx, next) => {
      try {
        await next()
      } catch (error) {
        seen.errors.push(error)
        ctx.status = isLoyalError(error) ? error.httpStatus : 500
        ctx.body = { failed: true }
      }
    })
    app.use(loyal({ auth }))
    app.use(async (ctx) => {
      seen.route++
      ctx.body =
        route === undefined ? { clientId: ctx.state.loyal.token.clientId } : await route(ctx)
    })

    return { seen, served: track(await serve(app.callback())) }
  }

  it('C01: 100 concurrent requests on a cold cache make one token request', async () => {
    api.faults.token({ delay: 100, times: 1 })

    const { seen, served } = await countingApp(authFor())
    const responses = await Promise.all(Array.from({ length: 100 }, () => fetch(served.url)))

    expect(responses.map((response) => response.status)).toEqual(Array(100).fill(200))
    expect(api.counters.tokenRequests).toBe(1)
    expect(seen.route).toBe(100)
  })

  it('adds no promise of its own when a usable token is cached', async () => {
    const auth = authFor()
    const token = await auth.getToken()
    const ctx = { state: {} } as Context
    const downstream = Promise.resolve('downstream')

    const result = loyal({ auth })(ctx, () => downstream)

    expect(result).toBe(downstream)
    expect(ctx.state.loyal.token).toBe(token)
  })

  it.each([
    ['cold', false],
    ['warm', true],
  ])(
    'awaits next() on a %s cache: upstream middleware sees the downstream work',
    async (_c, warm) => {
      const auth = authFor()

      if (warm) await auth.getToken()

      const app = quietApp(Koa)
      const order: string[] = []

      app.use(async (ctx, next) => {
        await next()
        order.push(`after next: body ${JSON.stringify(ctx.body)}`)
      })
      app.use(loyal({ auth }))
      app.use(async (ctx) => {
        await new Promise((resolve) => setTimeout(resolve, 5))
        order.push('route done')
        ctx.body = 'ok'
      })

      const served = track(await serve(app.callback()))

      expect(await (await fetch(served.url)).text()).toBe('ok')
      expect(order).toEqual(['route done', 'after next: body "ok"'])
    }
  )

  it.each([
    ['cold', false],
    ['warm', true],
  ])('lets errors of later middleware pass through untouched (%s cache)', async (_c, warm) => {
    const auth = authFor()

    if (warm) await auth.getToken()

    const failure = Object.assign(new Error('route failed'), { status: 418 })
    const { seen, served } = await countingApp(auth, () => {
      throw failure
    })

    expect((await fetch(served.url)).status).toBe(500)
    expect(seen.errors).toHaveLength(1)
    expect(seen.errors[0]).toBe(failure)
  })

  it('gives middleware a bound fetch and can()', async () => {
    const { served } = await countingApp(authFor(), async (ctx) => {
      const { fetch, can } = ctx.state.loyal
      const upstream = await fetch('/empower/rollups?limit=2')

      return { rows: await upstream.json(), canWrite: can('write', 'rules') }
    })
    const body = await (await fetch(served.url)).json()

    expect(body.rows).toHaveLength(2)
    expect(body.canWrite).toBe(true)
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
  ])('C15: when the token server %s, one LoyalError is thrown', async (_case, setup, code) => {
    const options = await setup()
    const { seen, served } = await countingApp(authFor({ ...quickFailure, ...options }))

    const response = await fetch(served.url)

    await settle()
    expect(response.status).toBe(502)
    expect(seen.route).toBe(0)
    expect(seen.errors).toHaveLength(1)
    expect(isLoyalError(seen.errors[0])).toBe(true)

    if (code !== undefined) expect((seen.errors[0] as LoyalError).code).toBe(code)

    expect(unhandled).toEqual([])
  })

  it('keeps tenants apart: each one’s upstream calls carry its own token', async () => {
    const tenantA = api.addClient({ apiKey: `tenant-a-${Math.random()}`, clientId: 'tenant-a' })
    const tenantB = api.addClient({ apiKey: `tenant-b-${Math.random()}`, clientId: 'tenant-b' })
    const tenants = new Map([
      ['a', authFor({ apiKey: tenantA.apiKey })],
      ['b', authFor({ apiKey: tenantB.apiKey })],
    ])
    const pick = (ctx: Context) => tenants.get(ctx.get('x-tenant'))!
    const { served } = await countingApp(pick, async (ctx) => {
      const upstream = await ctx.state.loyal.fetch(`/empower/rollups?tenant=${ctx.get('x-tenant')}`)

      return { status: upstream.status, clientId: ctx.state.loyal.token.clientId }
    })
    const order = ['a', 'b', 'b', 'a', 'a', 'b']
    const bodies = await Promise.all(
      order.map(async (tenant) =>
        (await fetch(served.url, { headers: { 'x-tenant': tenant } })).json()
      )
    )

    expect(bodies.map((body) => body.clientId)).toEqual(order.map((t) => `tenant-${t}`))
    expect(api.counters.tokenRequests).toBe(2)

    for (const request of api.requests.filter((r) => r.kind === 'api')) {
      const tenant = new URL(request.url, api.url).searchParams.get('tenant')
      const bearer = request.authorization[0]!.slice('Bearer '.length)

      expect(parseToken(bearer).clientId).toBe(`tenant-${tenant}`)
    }
  })

  it('throws what an auth function throws, untouched', async () => {
    const unknownTenant = new Error('unknown tenant')
    const { seen, served } = await countingApp(() => {
      throw unknownTenant
    })

    await fetch(served.url)
    expect(seen.errors).toEqual([unknownTenant])
  })

  it('accepts an auth function returning a promise', async () => {
    const auth = authFor()
    const { seen, served } = await countingApp(async () => auth)

    expect((await fetch(served.url)).status).toBe(200)
    expect(seen.route).toBe(1)
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

  it('says "auth" may be a function of the context', () => {
    expect(() => loyal({ auth: 42 as unknown as LoyalAuth })).toThrow(
      '"auth" must be a LoyalAuth or a function of the context returning one'
    )
  })

  it('C16: a token endpoint echoing the request leaves no secret in the response', async () => {
    api.faults.token({ echo: true, status: 500 })

    const app = quietApp(Koa)

    app.use(loyalErrorHandler())
    app.use(loyal({ auth: authFor(quickFailure) }))
    app.use((ctx) => {
      ctx.body = {}
    })

    const served = track(await serve(app.callback()))
    const response = await fetch(served.url)
    const text = await response.text()

    expect(response.status).toBe(502)
    expect(JSON.parse(text).error).toBe('token_endpoint_unavailable')
    expect(text).not.toContain(api.apiKey)
    expect(text).not.toMatch(/ApiKey\s/)
  })

  it('C16: a 403 from the API, thrown as a LoyalError, leaves no secret in the response', async () => {
    const narrow = api.addClient({ apiKey: `narrow-${Math.random()}`, scopes: ['empower:read'] })
    const auth = authFor({ apiKey: narrow.apiKey })
    const app = quietApp(Koa)

    app.use(loyalErrorHandler())
    app.use(loyal({ auth }))
    app.use(async (ctx) => {
      const upstream = await ctx.state.loyal.fetch('/users')
      const error = errorFromResponse(upstream, 'GET', '/users', await upstream.clone().json())

      if (error !== undefined) throw error

      ctx.body = await upstream.json()
    })

    const served = track(await serve(app.callback()))
    const response = await fetch(served.url)
    const text = await response.text()
    const token = (await auth.getToken()).value

    expect(response.status).toBe(403)
    expect(JSON.parse(text).error).toBe('insufficient_scope')
    expect(text).not.toContain(token)
    expect(text).not.toContain(narrow.apiKey)
  })

  it('awaits next() as middleware that returns its promise', async () => {
    const auth = authFor()
    const ctx = { state: {} } as Context
    let finished = false
    const next: Next = async () => {
      await settle()
      finished = true
    }

    await loyal({ auth })(ctx, next)
    expect(finished).toBe(true)
  })
})
