import { LoyalAuth } from '@loyal-auth/core'
import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'
import type { Middleware } from 'koa'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loyal, loyalErrorHandler, requireScopes } from '../src/index.js'
import { koaMajors, quietApp } from './helpers/majors.js'
import { type Served, serve } from './helpers/serve.js'

let api: LoyalApi
let opaqueApi: LoyalApi

beforeAll(async () => {
  api = await startLoyalApi()
  // Tokens without any scope claim, like the published example token.
  opaqueApi = await startLoyalApi({ scopeEncoding: 'none' })
})

afterAll(async () => {
  await Promise.all([api.close(), opaqueApi.close()])
})

describe.each(koaMajors)('requireScopes() on %s', (_major, Koa) => {
  const opened: Array<LoyalAuth | Served> = []

  beforeEach(() => {
    api.reset()
    opaqueApi.reset()
  })

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((item) => item.close()))
  })

  /** POST /rules guarded by `guard`, forwarding to the API's POST /rules. */
  async function rulesApp(target: LoyalApi, guard: Middleware, scopes?: string[]) {
    const apiKey = scopes === undefined ? target.apiKey : `key-${Math.random()}`

    if (scopes !== undefined) target.addClient({ apiKey, scopes })

    const auth = new LoyalAuth({ apiKey, baseUrl: target.url })
    const app = quietApp(Koa)

    app.use(loyalErrorHandler())
    app.use(loyal({ auth }))
    app.use(guard)
    app.use(async (ctx) => {
      const upstream = await ctx.state.loyal.fetch('/rules', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'flag late claims' }),
      })

      ctx.status = upstream.status
      ctx.body = await upstream.json()
    })

    const served = await serve(app.callback())

    opened.push(auth, served)

    return served
  }

  it('lets a request through when every scope is granted', async () => {
    const served = await rulesApp(api, requireScopes('rules:write', 'rules:read'))
    const response = await fetch(`${served.url}/rules`, { method: 'POST' })

    expect(response.status).toBe(201)
    expect(api.counters.apiRequests).toBe(1)
  })

  it('refuses with 403 insufficient_scope before any upstream request', async () => {
    const served = await rulesApp(api, requireScopes('rules:write'), ['rules:read', 'empower:read'])
    const response = await fetch(`${served.url}/rules`, { method: 'POST' })

    expect(response.status).toBe(403)
    expect(response.headers.get('www-authenticate')).toBeNull()
    expect(await response.json()).toEqual({
      error: 'insufficient_scope',
      required: ['rules:write'],
    })
    expect(api.counters.apiRequests).toBe(0)
  })

  it('refuses when only some of the scopes are granted', async () => {
    const guard = requireScopes('rules:read', 'users:write')
    const served = await rulesApp(api, guard, ['rules:read', 'rules:write'])
    const response = await fetch(`${served.url}/rules`, { method: 'POST' })

    expect(response.status).toBe(403)
    expect(await response.json()).toEqual({
      error: 'insufficient_scope',
      required: ['rules:read', 'users:write'],
    })
  })

  it('requireScopes.any() lets a request through when one scope is granted', async () => {
    const guard = requireScopes.any('rules:admin', 'rules:write')
    const served = await rulesApp(api, guard, ['rules:write', 'rules:read'])

    expect((await fetch(`${served.url}/rules`, { method: 'POST' })).status).toBe(201)
  })

  it('requireScopes.any() refuses when none is granted, saying any one would do', async () => {
    const guard = requireScopes.any('rules:admin', 'rules:write')
    const served = await rulesApp(api, guard, ['rules:read'])
    const response = await fetch(`${served.url}/rules`, { method: 'POST' })

    expect(response.status).toBe(403)
    expect(await response.json()).toEqual({
      error: 'insufficient_scope',
      required: ['rules:admin', 'rules:write'],
      mode: 'any',
    })
    expect(api.counters.apiRequests).toBe(0)
  })

  it('lets a request through when the token carries no scope information', async () => {
    const served = await rulesApp(opaqueApi, requireScopes('rules:write'))
    const response = await fetch(`${served.url}/rules`, { method: 'POST' })

    expect(response.status).toBe(201)
    expect(opaqueApi.counters.apiRequests).toBe(1)
  })

  it('answers a config error (500) when loyal() did not run first', async () => {
    const app = quietApp(Koa)

    app.use(loyalErrorHandler())
    app.use(requireScopes('rules:read'))

    const served = await serve(app.callback())

    opened.push(served)

    const response = await fetch(served.url)

    expect(response.status).toBe(500)
    expect((await response.json()).error).toBe('config')
  })

  it.each([[[]], [['']], [['  ']], [[42]]])(
    'throws a config error at setup for scopes %j',
    (scopes) => {
      expect(() => requireScopes(...(scopes as string[]))).toThrow(
        expect.objectContaining({
          code: 'config',
          message: expect.stringMatching(/^requireScopes\(\)/),
        })
      )
      expect(() => requireScopes.any(...(scopes as string[]))).toThrow(
        expect.objectContaining({
          code: 'config',
          message: expect.stringMatching(/^requireScopes\.any\(\)/),
        })
      )
    }
  )

  it('refuses scopes joined by a space in one argument, saying to pass them separately', () => {
    for (const guard of [requireScopes, requireScopes.any]) {
      expect(() => guard('empower:read users:read')).toThrow(
        expect.objectContaining({
          code: 'config',
          message: expect.stringContaining('pass scopes as separate arguments'),
        })
      )
    }
  })

  it('trims whitespace around a scope, in the check and in the 403 body', async () => {
    const granted = await rulesApp(api, requireScopes(' rules:write\n'), ['rules:write'])
    const refused = await rulesApp(api, requireScopes(' rules:write\n'), ['rules:read'])

    expect((await fetch(`${granted.url}/rules`, { method: 'POST' })).status).toBe(201)

    const response = await fetch(`${refused.url}/rules`, { method: 'POST' })

    expect(response.status).toBe(403)
    expect((await response.json()).required).toEqual(['rules:write'])
  })
})
