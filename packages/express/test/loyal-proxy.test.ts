import { request as httpRequest } from 'node:http'
import { gzipSync } from 'node:zlib'
import { LoyalAuth } from '@loyal-auth/core'
import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'
import type { RequestHandler } from 'express'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { loyalErrorHandler, loyalProxy } from '../src/index.js'
import { closeAfterEach } from './helpers/close-after-each.js'
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

describe.each(expressMajors)('loyalProxy() on %s', (_major, express) => {
  let auth: LoyalAuth
  let served: Served

  beforeEach(async () => {
    api.reset()
    auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url })

    const app = express()

    app.use(
      '/loyal',
      loyalProxy({ auth, allow: ['GET /empower/*', 'POST /empower/providers/totals'] })
    )
    app.use(loyalErrorHandler())
    served = await serve(app)
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

  it('forwards a body express.json() has already read', async () => {
    const app = express()

    app.use(express.json())
    app.use('/loyal', loyalProxy({ auth, allow: ['POST /empower/providers/totals'] }))

    const parsed = await serve(app)
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
    const track = closeAfterEach()

    /** The URL of a proxy for `POST /echo` mounted after `parsers`. */
    function behind(...parsers: RequestHandler[]): Promise<string> {
      return behindWith({}, ...parsers)
    }

    async function behindWith(
      options: { maxBodySize?: number },
      ...parsers: RequestHandler[]
    ): Promise<string> {
      const app = express()

      for (const parser of parsers) app.use(parser)
      app.use('/loyal', loyalProxy({ auth, allow: ['POST /echo'], ...options }))
      app.use(loyalErrorHandler())

      return `${track(await serve(app)).url}/loyal/echo`
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

    it('sends a form urlencoded({ extended: false }) read as that form again', async () => {
      const url = await behind(express.urlencoded({ extended: false }))
      const sent = 'name=Form+rule&enabled=true&tag=a&tag=b&rule%5Bid%5D=7&note=caf%C3%A9'
      const response = await post(url, form, sent)

      expect(response.status).toBe(200)
      expect(received()).toEqual({ type: form, body: sent })
    })

    it('sends a flat form urlencoded({ extended: true }) read as a form', async () => {
      const url = await behind(express.urlencoded({ extended: true }))

      await post(url, form, 'name=Form+rule&enabled=true&tag=a&tag=b')
      expect(received()).toEqual({ type: form, body: 'name=Form+rule&enabled=true&tag=a&tag=b' })
    })

    it('refuses a form qs nested (extended: true) instead of guessing its encoding', async () => {
      const url = await behind(express.urlencoded({ extended: true }))
      const response = await post(url, form, 'rule[name]=hidden-value&name=other-value')
      const message = await expectRefused(response, 'hidden-value', 'other-value', 'rule')

      expect(message).toMatch(/nested/)
      expect(api.counters.tokenRequests).toBe(0)
    })

    it('labels what express.json() read as JSON, whatever type it accepted', async () => {
      const url = await behind(express.json({ type: ['application/json', 'text/plain'] }))

      await post(url, 'application/json', JSON.stringify({ name: 'Rüle' }))
      expect(received()).toEqual({ type: 'application/json', body: '{"name":"Rüle"}' })

      await post(url, 'text/plain', JSON.stringify({ name: 'Rüle' }))
      expect(received()).toEqual({ type: 'application/json', body: '{"name":"Rüle"}' })
    })

    it('sends a JSON string a non-strict parser read as JSON, not as bare text', async () => {
      const url = await behind(express.json({ strict: false }))

      await post(url, 'application/json', '"hello"')
      expect(received()).toEqual({ type: 'application/json', body: '"hello"' })
    })

    it('sends no body where the browser sent none, though the parser made {} of it', async () => {
      const url = await behind(express.json(), express.urlencoded({ extended: false }))

      await post(url, 'application/json', '')
      expect(received()).toEqual({ type: 'application/json', body: undefined })

      await post(url, form, '')
      expect(received()).toEqual({ type: form, body: undefined })
    })

    it('labels what express.text() decoded from another charset as the UTF-8 sent', async () => {
      const url = await behind(express.text())
      const latin1 = Uint8Array.from(Buffer.from('café', 'latin1'))

      await post(url, 'text/plain; charset=iso-8859-1', latin1)
      expect(received()).toEqual({ type: 'text/plain; charset=utf-8', body: 'café' })
    })

    it('sends bytes express.raw() read as they came', async () => {
      const url = await behind(express.raw())

      await post(url, 'application/octet-stream', 'bytes as sent')
      expect(received()).toEqual({ type: 'application/octet-stream', body: 'bytes as sent' })
    })

    it('refuses a body an earlier middleware read and left no trace of', async () => {
      const swallow: RequestHandler = async (req, _res, next) => {
        for await (const _chunk of req) void _chunk
        next()
      }
      const url = await behind(swallow)

      await expectRefused(await post(url, 'application/json', '{"name":"gone"}'), 'gone')
    })

    /** A middleware that reads the raw stream itself, as a signature check does. */
    const signatureCheck: RequestHandler = async (req, _res, next) => {
      if (!req.readableEnded) for await (const _chunk of req) void _chunk
      next()
    }

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

    it('sends what express.json() inflated without the Content-Encoding', async () => {
      const url = await behind(express.json())

      await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
        body: Uint8Array.from(gzipSync('{"name":"zipped"}')),
      })
      expect(received()).toEqual({ type: 'application/json', body: '{"name":"zipped"}' })
      expect(api.requests.at(-1)!.headers['content-encoding']).toBeUndefined()
    })

    it('answers 413 for a parsed body over maxBodySize, without an upstream call', async () => {
      const url = await behindWith({ maxBodySize: 1000 }, express.json())
      const response = await post(url, 'application/json', JSON.stringify({ a: 'x'.repeat(5000) }))

      expect(response.status).toBe(413)
      expect((await response.json()).error).toBe('payload_too_large')
      expect(api.counters.apiRequests).toBe(0)
    })

    it('refuses a body read past the {} a parser left for a type it skipped', async () => {
      const url = await behind(express.json(), signatureCheck)

      await expectRefused(await post(url, 'text/plain', 'hello world'), 'hello world')
    })

    it('still sends an empty JSON object a parser read', async () => {
      const url = await behind(express.json())

      await post(url, 'application/json', '{}')
      expect(received()).toEqual({ type: 'application/json', body: '{}' })
    })

    it('labels text re-encoded from a default charset as UTF-8', async () => {
      const url = await behind(express.text({ defaultCharset: 'latin1' }))

      await post(url, 'text/plain', Uint8Array.from(Buffer.from('café', 'latin1')))
      expect(received()).toEqual({ type: 'text/plain; charset=utf-8', body: 'café' })
    })

    it.each(['"123"', '"true"', '"{\\"a\\":1}"', '"null"'])(
      'sends the JSON string %s a non-strict parser read as that string',
      async (sent) => {
        const url = await behind(express.json({ strict: false }))

        await post(url, 'application/json', sent)
        expect(received()).toEqual({ type: 'application/json', body: sent })
      }
    )

    it('sends JSON text a text parser kept as it came, even malformed', async () => {
      const url = await behind(express.text({ type: '*/*' }))

      await post(url, 'application/json', '{bad')
      expect(received()).toEqual({ type: 'application/json', body: '{bad' })

      await post(url, 'application/json', '"123"')
      expect(received()).toEqual({ type: 'application/json', body: '"123"' })
    })

    it('documents that qs (extended: true) reads indexes as list positions', async () => {
      const url = await behind(express.urlencoded({ extended: true }))

      await post(url, form, 'a[1]=x&a[0]=y')
      expect(received()).toEqual({ type: form, body: 'a=y&a=x' })

      await post(url, form, 'a[20]=x&a[21]=z')
      expect(received()).toEqual({ type: form, body: 'a=x&a=z' })
    })

    it('refuses a multipart body a parser split into fields', async () => {
      const fields: RequestHandler = async (req, _res, next) => {
        for await (const _chunk of req) void _chunk
        req.body = { name: 'field-value' }
        next()
      }
      const url = await behind(fields)
      const body = new FormData()

      body.set('name', 'field-value')

      const response = await fetch(url, { method: 'POST', body })

      expect(await expectRefused(response, 'field-value')).toMatch(/multipart/)
    })
  })

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

  it('refuses an absolute URL in the request line (another host)', async () => {
    const response = await rawRequest(served.url, 'http://evil.example/loyal/empower/rollups')

    expect(response.status).not.toBe(200)
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
    const app = express()

    api.faults.token({ echo: true, status: 500 })
    app.use('/loyal', loyalProxy({ auth: failing, allow: ['GET /empower/*'] }))
    app.use(loyalErrorHandler())

    const proxy = await serve(app)
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
    const app = express()

    app.use('/loyal', loyalProxy({ auth, allow: ['* /empower/*'], ...options }))
    app.use(loyalErrorHandler())

    const proxy = await serve(app)

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

  it('times out and answers on a Node without AbortSignal.any (before 20.3)', async () => {
    const any = AbortSignal.any
    Object.defineProperty(AbortSignal, 'any', { value: undefined, configurable: true })

    try {
      const proxy = await proxyWith({ timeoutDuration: 50 })
      const served = await fetch(`${proxy.url}/loyal/empower/rollups?limit=1`)
      api.faults.route('/empower/rollups', { hang: true })
      const hung = await fetch(`${proxy.url}/loyal/empower/rollups`)
      await proxy.close()

      expect(served.status).toBe(200)
      expect(hung.status).toBe(504)
    } finally {
      Object.defineProperty(AbortSignal, 'any', { value: any, configurable: true, writable: true })
    }
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
    const app = express()

    app.use('/loyal', loyalProxy({ auth: stranded, allow: ['GET /empower/*'] }))
    app.use(loyalErrorHandler())
    await down.close()

    const proxy = await serve(app)
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
    [
      'a content encoding to forward',
      { allow: ['GET /x'], forwardHeaders: ['Content-Encoding'] },
      '"forwardHeaders"',
    ],
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
