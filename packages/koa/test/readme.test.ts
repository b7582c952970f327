import { readFileSync } from 'node:fs'
import { errorFromResponse, FORWARDED_REQUEST_HEADERS, LoyalAuth } from '@loyal-auth/core'
import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'
import Koa from 'koa'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { loyal, loyalErrorHandler, loyalProxy } from '../src/index.js'
import { quietApp } from './helpers/majors.js'
import { type Served, serve } from './helpers/serve.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')

let api: LoyalApi
const opened: Array<LoyalAuth | Served> = []

beforeAll(async () => {
  api = await startLoyalApi()
})

afterEach(async () => {
  await Promise.all(opened.splice(0).map((item) => item.close()))
  api.reset()
})

afterAll(() => api.close())

function authFor(scopes: string[]): LoyalAuth {
  const apiKey = `key-${Math.random()}`

  api.addClient({ apiKey, scopes })

  const auth = new LoyalAuth({ apiKey, baseUrl: api.url })

  opened.push(auth)

  return auth
}

describe('the README', () => {
  it('checks the answer of loyal.fetch instead of passing any status on as 200', () => {
    const firstExample = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? ''

    expect(firstExample).toContain('errorFromResponse(response, ')
    expect(readme).not.toMatch(/\(await [\w.]+\.loyal\.fetch\([^)]*\)\)\.json\(\)/)
  })

  it("handler pattern turns the API's 403 into a 403 insufficient_scope, not a 200", async () => {
    const served = await readmeApp(authFor(['users:read']))

    opened.push(served)

    const response = await fetch(`${served.url}/rollups`)

    expect(response.status).toBe(403)
    expect(await response.json()).toMatchObject({ error: 'insufficient_scope' })
  })

  it('lists exactly the browser headers the proxy forwards', async () => {
    const listed = /Only these browser headers go upstream:([\s\S]*?)\(core's/.exec(readme)?.[1]
    const names = [...(listed ?? '').matchAll(/`([a-z-]+)`/g)].map((match) => match[1])

    expect(names.sort()).toEqual([...FORWARDED_REQUEST_HEADERS].sort())

    const auth = authFor(['empower:read'])

    const served = await serve(
      quietApp(Koa)
        .use(loyalProxy({ auth, prefix: '/loyal', allow: ['GET /empower/*'] }))
        .callback()
    )

    opened.push(served)

    const headers = Object.fromEntries(names.map((name) => [name, `sent-${name}`]))

    await fetch(`${served.url}/loyal/empower/rollups`, {
      headers: {
        ...headers,
        'user-agent': 'browser-agent',
        'sec-fetch-mode': 'navigate',
        'sec-fetch-site': 'cross-site',
      },
    })

    const upstream = api.requests.at(-1)?.headers ?? {}

    for (const name of names) expect(upstream[name as string]).toBe(`sent-${name}`)
    // Node's fetch sends its own user-agent and sec-fetch-mode upstream; not the browser's.
    expect(upstream['user-agent']).not.toBe('browser-agent')
    expect(upstream['sec-fetch-mode']).not.toBe('navigate')
    expect(upstream['sec-fetch-site']).toBeUndefined()
  })
})

function readmeApp(auth: LoyalAuth): Promise<Served> {
  const app = quietApp(Koa)

  app.use(loyalErrorHandler())
  app.use(loyal({ auth }))
  // The README's handler, as written there.
  app.use(async (ctx) => {
    const response = await ctx.state.loyal.fetch('/empower/rollups')
    const body = await response.json()
    const error = errorFromResponse(response, 'GET', '/empower/rollups', body)

    if (error) throw error
    ctx.status = response.status
    ctx.body = body
  })

  return serve(app.callback())
}
