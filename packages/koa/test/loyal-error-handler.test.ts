import { assertScopes, LoyalAuth, LoyalError } from '@loyal-auth/core'
import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loyal, loyalErrorHandler } from '../src/index.js'
import { koaMajors, quietApp } from './helpers/majors.js'
import { bearersSeen, expectNoSecrets, wholeResponse } from './helpers/secrets.js'
import { type Served, serve } from './helpers/serve.js'

let api: LoyalApi

beforeAll(async () => {
  api = await startLoyalApi()
})

afterAll(async () => {
  await api.close()
})

describe.each(koaMajors)('loyalErrorHandler() on %s', (_major, Koa) => {
  const opened: Array<LoyalAuth | Served> = []

  beforeEach(() => api.reset())

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((item) => item.close()))
  })

  /** loyalErrorHandler(), loyal(), then an upstream call to `path`. */
  async function appCalling(path: string, options: { timeoutDuration?: number } = {}) {
    const auth = new LoyalAuth({
      apiKey: api.apiKey,
      baseUrl: api.url,
      retry: { attempts: 1 },
      ...options,
    })
    const app = quietApp(Koa)

    app.use(loyalErrorHandler())
    app.use(loyal({ auth }))
    app.use(async (ctx) => {
      if (path === '/users') assertScopes(ctx.state.loyal.token, ['users:write'])

      const upstream = await ctx.state.loyal.fetch(path)

      ctx.status = upstream.status
      ctx.body = await upstream.json()
    })

    const served = await serve(app.callback())

    opened.push(auth, served)

    return served
  }

  async function expectRendered(served: Served, status: number, code: string) {
    const response = await fetch(served.url)
    const text = await wholeResponse(response.clone())
    const body = await response.json()

    expect(response.status).toBe(status)
    expect(response.headers.get('www-authenticate')).toBeNull()
    expect(body.error).toBe(code)
    expect(typeof body.message).toBe('string')
    expectNoSecrets(text, [api.apiKey, ...bearersSeen(api.requests)])

    return body
  }

  it('renders invalid_api_key as 502', async () => {
    api.faults.token({ authenticated: false })
    await expectRendered(await appCalling('/empower/rollups'), 502, 'invalid_api_key')
  })

  it('renders an unreachable token endpoint as 502', async () => {
    api.faults.token({ status: 503 })
    await expectRendered(await appCalling('/empower/rollups'), 502, 'token_endpoint_unavailable')
  })

  it('renders a token endpoint timeout as 504', async () => {
    api.faults.token({ hang: true })
    await expectRendered(
      await appCalling('/empower/rollups', { timeoutDuration: 50 }),
      504,
      'timeout'
    )
  })

  it('renders a 401 that survives the retry as 502 unauthorized', async () => {
    api.faults.route('/empower/rollups', { status: 401 })
    await expectRendered(await appCalling('/empower/rollups'), 502, 'unauthorized')
  })

  it('renders insufficient_scope as 403 with the required scopes', async () => {
    const body = await expectRendered(await appCalling('/users'), 403, 'insufficient_scope')

    expect(body.required).toEqual(['users:write'])
  })

  it('sets Retry-After and still emits 5xx errors on the app', async () => {
    const app = quietApp(Koa)
    const emitted: unknown[] = []
    const failure = new LoyalError('token_endpoint_unavailable', 'cooling down', {
      retryAfter: 1500,
    })

    app.on('error', (error) => emitted.push(error))
    app.use(loyalErrorHandler())
    app.use(() => {
      throw failure
    })

    const served = await serve(app.callback())

    opened.push(served)

    const response = await fetch(served.url)

    expect(response.status).toBe(502)
    expect(response.headers.get('retry-after')).toBe('2')
    expect(emitted).toEqual([failure])
  })

  it('rethrows other errors, untouched', async () => {
    const other = new Error('not ours')
    const seen: unknown[] = []
    const app = quietApp(Koa)

    app.use(async (ctx, next) => {
      try {
        await next()
      } catch (error) {
        seen.push(error)
        ctx.status = 418
      }
    })
    app.use(loyalErrorHandler())
    app.use(() => {
      throw other
    })

    const served = await serve(app.callback())

    opened.push(served)

    expect((await fetch(served.url)).status).toBe(418)
    expect(seen).toEqual([other])
  })
})
