import { assertScopes, LoyalAuth, LoyalError } from '@loyal-auth/core'
import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'
import type { NextFunction, Request, Response } from 'express'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loyal, loyalErrorHandler } from '../src/index.js'
import { expressMajors } from './helpers/majors.js'
import { bearersSeen, expectNoSecrets, wholeResponse } from './helpers/secrets.js'
import { type Served, serve } from './helpers/serve.js'

let api: LoyalApi

beforeAll(async () => {
  api = await startLoyalApi()
})

afterAll(async () => {
  await api.close()
})

describe.each(expressMajors)('loyalErrorHandler() on %s', (_major, express) => {
  const opened: Array<LoyalAuth | Served> = []

  beforeEach(() => api.reset())

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((item) => item.close()))
  })

  /** GET /call: loyal(), then an upstream call to `path`, then the error handler. */
  async function appCalling(path: string, options: { timeoutDuration?: number } = {}) {
    const auth = new LoyalAuth({
      apiKey: api.apiKey,
      baseUrl: api.url,
      retry: { attempts: 1 },
      ...options,
    })
    const app = express()

    app.use(loyal({ auth }))
    app.get('/call', async (req, res, next) => {
      try {
        if (path === '/users') assertScopes(req.loyal.token, ['users:write'])

        const upstream = await req.loyal.fetch(path)

        res.status(upstream.status).json(await upstream.json())
      } catch (error) {
        next(error)
      }
    })
    app.use(loyalErrorHandler())

    const served = await serve(app)

    opened.push(auth, served)

    return served
  }

  async function expectRendered(served: Served, status: number, code: string) {
    const response = await fetch(`${served.url}/call`)
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

  it('sets Retry-After from the error', async () => {
    const app = express()

    app.get('/x', (_req, _res, next) => {
      next(new LoyalError('token_endpoint_unavailable', 'cooling down', { retryAfter: 1500 }))
    })
    app.use(loyalErrorHandler())

    const served = await serve(app)

    opened.push(served)

    const response = await fetch(`${served.url}/x`)

    expect(response.status).toBe(502)
    expect(response.headers.get('retry-after')).toBe('2')
  })

  it('passes other errors on, untouched', async () => {
    const other = new Error('not ours')
    const seen: unknown[] = []
    const app = express()

    app.get('/x', (_req, _res, next) => next(other))
    app.use(loyalErrorHandler())
    app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
      seen.push(error)
      res.status(418).end()
    })

    const served = await serve(app)

    opened.push(served)

    expect((await fetch(`${served.url}/x`)).status).toBe(418)
    expect(seen).toEqual([other])
  })
})
