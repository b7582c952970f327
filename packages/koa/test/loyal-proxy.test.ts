import { request as httpRequest } from 'node:http'
import { gzipSync } from 'node:zlib'
import { bodyParser } from '@koa/bodyparser'
import { LoyalAuth } from '@loyal-auth/core'
import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'
import type { Middleware } from 'koa'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loyalErrorHandler, loyalProxy } from '../src/index.js'
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

/** Sends a raw request line, so URLs reach the server exactly as written. */
function rawRequest(url: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url)

  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: hostname, port, path, method: 'GET' }, (response) => {
      let body = ''

      response.setEncoding('utf8')
      response.on('data', (chunk) => {
        body += chunk
      })
      response.on('end', () => resolve({ status: response.statusCode!, body }))
    })

    request.on('error', reject)
    request.end()
  })
}

describe.each(koaMajors)('loyalProxy() on %s', (_major, Koa) => {
  let auth: LoyalAuth
  let served: Served

  beforeEach(async () => {
    api.reset()
    auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url })

    const app = quietApp(Koa)

    app.use(loyalErrorHandler())
    app.use(
      loyalProxy({
        auth,
        prefix: '/loyal',
        allow: ['GET /empower/*', 'POST /empower/providers/totals'],
      })
    )
    app.use((ctx) => {
      ctx.body = 'not the proxy'
    })
    served = await serve(app.callback())
  })

  afterEach(async () => {
    await Promise.all([auth.close(), served.close()])
  })

  /** Everything a browser could see must hold neither the key nor any token we used. */
  function secrets(): string[] {
    return [api.apiKey, ...bearersSeen(api.requests)]
  }

  it('streams an allowed route back with the status and content type', async () => {
    const response = await fetch(`${served.url}/loyal/empower/rollups?limit=3`, {
      headers: { authorization: 'Bearer browser-session', cookie: 'sid=browser' },
    })
    const text = await wholeResponse(response.clone())

    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/application\/json/)
    expect(await response.json()).toHaveLength(3)
    expectNoSecrets(text, secrets())

    const upstream = api.requests.find((r) => r.kind === 'api')!

    expect(upstream.url).toBe('/empower/rollups?limit=3')
    expect(upstream.authorization).toEqual([`Bearer ${(await auth.getToken()).value}`])
    expect(upstream.headers.cookie).toBeUndefined()
  })

  it('forwards an allowed POST with its JSON body', async () => {
    const response = await fetch(`${served.url}/loyal/empower/providers/totals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([101, 102]),
    })

    expect(response.status).toBe(200)
    expect(await response.json()).toHaveLength(2)
    expect(api.requests.at(-1)!.body).toBe('[101,102]')
  })

  it('forwards a body a parser has already read', async () => {
    const app = quietApp(Koa)

    app.use(async (ctx, next) => {
      let text = ''

      for await (const chunk of ctx.req) text += chunk
      ;(ctx.request as { body?: unknown }).body = JSON.parse(text)
      await next()
    })
    app.use(loyalProxy({ auth, prefix: '/loyal', allow: ['POST /empower/providers/totals'] }))

    const parsed = await serve(app.callback())
    const response = await fetch(`${parsed.url}/loyal/empower/providers/totals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([103]),
    })

    await parsed.close()
    expect(response.status).toBe(200)
    expect(api.requests.at(-1)!.body).toBe('[103]')
  })

  describe('behind a body parser', () => {
    const opened: Served[] = []

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((server) => server.close()))
    })

    /** The URL of a proxy for `POST /echo` mounted after `parsers`. */
    function behind(...parsers: Middleware[]): Promise<string> {
      return behindWith({}, ...parsers)
    }

    async function behindWith(
      options: { maxBodySize?: number },
      ...parsers: Middleware[]
    ): Promise<string> {
      const app = quietApp(Koa)

      app.use(loyalErrorHandler())
      for (const parser of parsers) app.use(parser)
      app.use(loyalProxy({ auth, prefix: '/loyal', allow: ['POST /echo'], ...options }))

      const server = await serve(app.callback())

      opened.push(server)

      return `${server.url}/loyal/echo`
    }

    function post(url: string, type: string, body: BodyInit): Promise<Response> {
      return fetch(url, { method: 'POST', headers: { 'content-type': type }, body })
    }

    /** What the API received, and that its content-length is the body's own. */
    function received(): { type: string | undefined; body: string | undefined } {
      const { headers, body } = api.requests.at(-1)!

      expect(headers['content-length']).toBe(String(Buffer.byteLength(body ?? '')))

      return { type: headers['content-type'], body }
    }

    /** A refusal: 500 `config` naming the route, nothing sent upstream, nothing secret. */
    async function expectRefused(response: Response, ...hidden: string[]): Promise<string> {
      const text = await wholeResponse(response.clone())
      const { error, message } = await response.json()

      expect(response.status).toBe(500)
      expect(error).toBe('config')
      expect(message).toContain('POST /echo')
      expect(message).toMatch(/before the body parser/)
      expect(api.counters.apiRequests).toBe(0)
      expectNoSecrets(text, [...secrets(), ...hidden])

      return message
    }

    const form = 'application/x-www-form-urlencoded'
    const parsers = () => bodyParser({ enableTypes: ['json', 'form', 'text'] })

    it('sends a form @koa/bodyparser read as that form again', async () => {
      const url = await behind(parsers())
      const sent = 'name=Form+rule&enabled=true&tag=a&tag=b&note=caf%C3%A9'
      const response = await post(url, form, sent)

      expect(response.status).toBe(200)
      expect(received()).toEqual({ type: form, body: sent })
    })

    it('refuses a form qs nested instead of guessing its encoding', async () => {
      const url = await behind(parsers())
      const response = await post(url, form, 'rule[name]=hidden-value&name=other-value')
      const message = await expectRefused(response, 'hidden-value', 'other-value', 'rule')

      expect(message).toMatch(/nested/)
      expect(api.counters.tokenRequests).toBe(0)
    })

    it('labels what it read as JSON as JSON, whatever type it accepted', async () => {
      const url = await behind(bodyParser({ detectJSON: (ctx) => ctx.path.startsWith('/loyal') }))

      await post(url, 'application/json', JSON.stringify({ name: 'Rüle' }))
      expect(received()).toEqual({ type: 'application/json', body: '{"name":"Rüle"}' })

      await post(url, 'text/plain', JSON.stringify({ name: 'Rüle' }))
      expect(received()).toEqual({ type: 'application/json', body: '{"name":"Rüle"}' })
    })

    it('sends no body where the browser sent none, though the parser made {} of it', async () => {
      const url = await behind(parsers())

      await post(url, 'application/json', '')
      expect(received()).toEqual({ type: 'application/json', body: undefined })

      await post(url, form, '')
      expect(received()).toEqual({ type: form, body: undefined })
    })

    it('refuses text co-body decoded as UTF-8 though sent in another charset', async () => {
      const url = await behind(parsers())
      const latin1 = Uint8Array.from(Buffer.from('café', 'latin1'))

      await expectRefused(await post(url, 'text/plain; charset=iso-8859-1', latin1), 'caf')
      await expectRefused(await post(url, `${form}; charset=iso-8859-1`, 'name=caf%E9'), 'caf')
    })

    it('sends UTF-8 text on, labelled UTF-8', async () => {
      const url = await behind(parsers())

      await post(url, 'text/plain; charset=utf-8', 'café')
      expect(received()).toEqual({ type: 'text/plain; charset=utf-8', body: 'café' })
      await post(url, 'text/plain', 'café')
      expect(received()).toEqual({ type: 'text/plain; charset=utf-8', body: 'café' })
    })

    /** A middleware that reads the raw stream itself, as a signature check does. */
    const signatureCheck: Middleware = async (ctx, next) => {
      if (!ctx.req.readableEnded) for await (const _chunk of ctx.req) void _chunk
      await next()
    }

    it('refuses a body read past the {} a parser left for a type it skipped', async () => {
      const url = await behind(bodyParser({ enableTypes: ['json'] }), signatureCheck)

      await expectRefused(await post(url, 'text/plain', 'hello world'), 'hello world')
    })

    it('still sends an empty JSON object the parser read', async () => {
      const url = await behind(parsers())

      await post(url, 'application/json', '{}')
      expect(received()).toEqual({ type: 'application/json', body: '{}' })
    })

    it.each(['"123"', '"true"', '"{\\"a\\":1}"', '"hello"'])(
      'sends the JSON string %s a non-strict parser read as that string',
      async (sent) => {
        const url = await behind(bodyParser({ jsonStrict: false }))

        await post(url, 'application/json', sent)
        expect(received()).toEqual({ type: 'application/json', body: sent })
      }
    )

    it('sends the browser gzip bytes on with their Content-Encoding when none parsed', async () => {
      const url = await behind()
      const gzipped = gzipSync('{"name":"zipped"}')
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: Uint8Array.from(gzipped),
      })
      const { headers } = api.requests.at(-1)!

      expect(response.status).toBe(200)
      expect(headers['content-encoding']).toBe('gzip')
      expect(headers['content-length']).toBe(String(gzipped.byteLength))
    })

    it('sends what the parser inflated without the Content-Encoding', async () => {
      const url = await behind(parsers())

      await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: Uint8Array.from(gzipSync('{"name":"zipped"}')),
      })
      expect(received()).toEqual({ type: 'application/json', body: '{"name":"zipped"}' })
      expect(api.requests.at(-1)!.headers['content-encoding']).toBeUndefined()
    })

    it('answers 413 for a parsed body over maxBodySize, without an upstream call', async () => {
      const url = await behindWith({ maxBodySize: 1000 }, parsers())
      const response = await post(url, 'application/json', JSON.stringify({ a: 'x'.repeat(5000) }))

      expect(response.status).toBe(413)
      expect((await response.json()).error).toBe('payload_too_large')
      expect(api.counters.apiRequests).toBe(0)
    })

    it('refuses a body an earlier middleware read and left no trace of', async () => {
      const url = await behind(async (ctx, next) => {
        for await (const _chunk of ctx.req) void _chunk
        await next()
      })

      await expectRefused(await post(url, 'application/json', '{"name":"gone"}'), 'gone')
    })
  })

  it('leaves requests outside its prefix to the next middleware', async () => {
    for (const path of ['/loyalty/empower/rollups', '/empower/rollups', '/']) {
      const response = await fetch(`${served.url}${path}`)

      expect(await response.text()).toBe('not the proxy')
    }

    expect(api.counters.apiRequests).toBe(0)
  })

  it.each([['/'], ['api'], ['/api/']])(
    'throws a config error at setup for the prefix %j',
    (prefix) => {
      const attempt = () => loyalProxy({ auth, prefix, allow: ['GET /empower/*'] })

      expect(attempt).toThrow(expect.objectContaining({ code: 'config' }))
      expect(attempt).toThrow('"prefix"')
    }
  )

  it.each([
    ['a method not on the list', 'POST', '/loyal/empower/rollups'],
    ['a path not on the list', 'GET', '/loyal/users'],
    ['a write route', 'DELETE', '/loyal/rules/1'],
  ])('refuses %s with 403 and no upstream request', async (_case, method, path) => {
    const response = await fetch(`${served.url}${path}`, { method })

    expect(response.status).toBe(403)
    expect((await response.json()).error).toBe('route_not_allowed')
    expect(api.counters.apiRequests).toBe(0)
    expect(api.counters.tokenRequests).toBe(0)
  })

  it.each([
    '/loyal/empower/../users',
    '/loyal/empower/%2e%2e/users',
    '/loyal/empower/..%2Fusers',
    '/loyal/empower/%2E%2E%2Fusers',
    '/loyal/empower/x%5C..%5C..%5Cusers',
    '/loyal/empower/..\\users',
    '/loyal//127.0.0.1/empower/rollups',
    '/loyal/empower//rollups',
    '/loyal/empower/%252e%252e/users',
  ])('refuses the traversal %s without any upstream request', async (path) => {
    const response = await rawRequest(served.url, path)

    expect(response.status).toBe(403)
    expect(JSON.parse(response.body).error).toBe('route_not_allowed')
    expect(api.counters.apiRequests).toBe(0)
  })

  it('never forwards an absolute URL in the request line (another host)', async () => {
    const response = await rawRequest(served.url, 'http://evil.example/loyal/empower/rollups')

    expect(response.body).not.toContain('providerCount')
    expect(api.counters.apiRequests).toBe(0)
  })

  it('C16: an upstream 403 echoing our token comes back redacted, challenge removed', async () => {
    const token = (await auth.getToken()).value

    api.faults.route('/empower/rollups', {
      status: 403,
      body: { message: `Forbidden for Bearer ${token}`, token },
      headers: { 'WWW-Authenticate': 'Bearer error="insufficient_scope"', 'X-Debug': token },
    })

    const response = await fetch(`${served.url}/loyal/empower/rollups`)
    const text = await wholeResponse(response)

    expect(response.status).toBe(403)
    expect(response.headers.get('www-authenticate')).toBeNull()
    expect(response.headers.get('x-debug')).toBeNull()
    expect(text).toContain('Forbidden for Bearer')
    expectNoSecrets(text, secrets())
  })

  it('strips set-cookie and credential headers from the answer', async () => {
    api.faults.route('/empower/rollups', {
      status: 200,
      body: [],
      headers: { 'Set-Cookie': 'upstream=1', Authorization: 'Bearer x', 'X-Kept': 'yes' },
    })

    const response = await fetch(`${served.url}/loyal/empower/rollups`)

    expect(response.headers.get('set-cookie')).toBeNull()
    expect(response.headers.get('authorization')).toBeNull()
    expect(response.headers.get('x-kept')).toBe('yes')
  })

  it('C16: a token endpoint echoing the request gives 502 without the key', async () => {
    const failing = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url, retry: { attempts: 1 } })
    const app = quietApp(Koa)

    api.faults.token({ echo: true, status: 500 })
    app.use(loyalErrorHandler())
    app.use(loyalProxy({ auth: failing, prefix: '/loyal', allow: ['GET /empower/*'] }))

    const proxy = await serve(app.callback())
    const response = await fetch(`${proxy.url}/loyal/empower/rollups`)
    const text = await wholeResponse(response)

    await Promise.all([proxy.close(), failing.close()])
    expect(response.status).toBe(502)
    expectNoSecrets(text, secrets())
  })

  async function proxyWith(options: {
    allow?: string[]
    maxBodySize?: number
    timeoutDuration?: number
  }) {
    const app = quietApp(Koa)

    app.use(loyalErrorHandler())
    app.use(loyalProxy({ auth, prefix: '/loyal', allow: ['* /empower/*'], ...options }))

    const proxy = await serve(app.callback())

    return proxy
  }

  it('answers 504 timeout when the API sends no headers in time', async () => {
    api.faults.route('/empower/rollups', { hang: true })

    const proxy = await proxyWith({ timeoutDuration: 50 })
    const response = await fetch(`${proxy.url}/loyal/empower/rollups`)

    await proxy.close()
    expect(response.status).toBe(504)
    expect((await response.json()).error).toBe('timeout')
  })

  it('answers 413 for a body over maxBodySize, without an upstream call', async () => {
    const proxy = await proxyWith({ maxBodySize: 8 })
    const response = await fetch(`${proxy.url}/loyal/empower/providers/totals`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([101, 102, 103, 104]),
    })

    await proxy.close()
    expect(response.status).toBe(413)
    expect(api.counters.apiRequests).toBe(0)
  })

  it('answers 502 api_unavailable as JSON when the API cannot be reached', async () => {
    const down = await startLoyalApi()
    const stranded = new LoyalAuth({ apiKey: down.apiKey, baseUrl: down.url })
    const token = (await stranded.getToken()).value
    const app = quietApp(Koa)

    app.use(loyalErrorHandler())
    app.use(loyalProxy({ auth: stranded, prefix: '/loyal', allow: ['GET /empower/*'] }))
    await down.close()

    const proxy = await serve(app.callback())
    const response = await fetch(`${proxy.url}/loyal/empower/rollups?limit=3`)
    const text = await wholeResponse(response.clone())

    await Promise.all([proxy.close(), stranded.close()])
    expect(response.status).toBe(502)
    expect(response.headers.get('content-type')).toMatch(/application\/json/)
    expect(await response.json()).toMatchObject({
      error: 'api_unavailable',
      message: expect.stringMatching(/could not be reached.*GET \/empower\/rollups$/),
    })
    expectNoSecrets(text, [down.apiKey, token])
  })

  it('answers 502 for an API redirect to another origin, which it never calls', async () => {
    const hits: string[] = []
    const elsewhere = await serve((req, res) => {
      hits.push(req.url ?? '')
      res.end('from elsewhere')
    })
    const proxy = await proxyWith({ allow: ['GET /redirect'] })
    const to = encodeURIComponent(`${elsewhere.url}/x`)
    const response = await fetch(`${proxy.url}/loyal/redirect?to=${to}`)
    const text = await wholeResponse(response.clone())

    await Promise.all([proxy.close(), elsewhere.close()])
    expect(response.status).toBe(502)
    expect(await response.json()).toMatchObject({ error: 'api_unavailable' })
    expect(text).not.toContain('from elsewhere')
    expect(hits).toEqual([])
    expectNoSecrets(text, secrets())
  })

  it('still follows an API redirect on its own origin, with the bearer', async () => {
    const proxy = await proxyWith({ allow: ['GET /redirect'] })
    const to = encodeURIComponent(`${api.url}/empower/rollups?limit=2`)
    const response = await fetch(`${proxy.url}/loyal/redirect?to=${to}`)

    await proxy.close()
    expect(response.status).toBe(200)
    expect(await response.json()).toHaveLength(2)
  })

  it.each([
    ['no options', undefined, 'loyalProxy({ auth })'],
    ['no auth', { allow: ['GET /empower/*'] }, '"auth"'],
    ['an allow entry without a method', { allow: ['/empower/*'] }, '"allow"'],
    ['an empty allow list', { allow: [] }, '"allow"'],
    ['a cookie to forward', { allow: ['GET /x'], forwardHeaders: ['cookie'] }, '"forwardHeaders"'],
    ['a timeout of 0', { allow: ['GET /x'], timeoutDuration: 0 }, '"timeoutDuration"'],
    ['a string of headers', { allow: ['GET /x'], forwardHeaders: 'x-custom' }, '"forwardHeaders"'],
    ['no header name', { allow: ['GET /x'], forwardHeaders: ['bad header'] }, '"forwardHeaders"'],
    ['a query in an allow entry', { allow: ['GET /health?x=1'] }, '"allow"'],
    ['an unknown method in an allow entry', { allow: ['FOO /health'] }, '"allow"'],
  ])('throws a config error at setup for %s, naming the option', (name, options, named) => {
    const withAuth = options === undefined || name === 'no auth' ? options : { auth, ...options }
    const attempt = () => loyalProxy(withAuth as never)

    expect(attempt).toThrow(expect.objectContaining({ code: 'config' }))
    expect(attempt).toThrow(named)
  })

  it('keeps the API key out of setup errors', () => {
    let message = ''

    try {
      loyalProxy({ auth, allow: [] })
    } catch (error) {
      message = `${String(error)} ${(error as Error).stack}`
    }

    expect(message).toContain('"allow"')
    expect(message).not.toContain(api.apiKey)
  })
})
