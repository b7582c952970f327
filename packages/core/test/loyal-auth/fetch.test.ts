import { Readable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { errorFromResponse, LoyalAuth, type LoyalError } from '../../src/index.js'
import { authFor, rejectionOf, startApi, until } from './support.js'

const settle = () => new Promise((resolve) => setTimeout(resolve, 50))

describe('LoyalAuth.fetch', () => {
  it('resolves paths against baseUrl and sends exactly one `Bearer` header', async () => {
    const api = await startApi()
    const auth = authFor(api)

    const response = await auth.fetch('users?offset=0&limit=1')

    expect(response.status).toBe(200)
    const [, call] = api.requests
    expect(call?.url).toBe('/users?offset=0&limit=1')
    expect(call?.authorization).toEqual([`Bearer ${auth.peekToken()?.value}`])
  })

  it('keeps a base path prefix and cannot be led to another host by `//host`', async () => {
    const auth = new LoyalAuth({ apiKey: 'k', baseUrl: 'https://api.example.com/v2/' })

    expect(auth.baseUrl).toBe('https://api.example.com/v2')
    expect(auth.resolveUrl('/users').href).toBe('https://api.example.com/v2/users')
    expect(auth.resolveUrl('//evil.example/x').host).toBe('api.example.com')
    expect(auth.isApiUrl('https://api.example.com:443/other')).toBe(true)
    expect(auth.isApiUrl('http://api.example.com/users')).toBe(false)
    expect(auth.isApiUrl('https://api.example.com:8443/users')).toBe(false)
    expect(auth.isApiUrl('https://evil.example/users')).toBe(false)
    await auth.close()
  })

  it('sends no bearer to another origin, nor to the same host on another port', async () => {
    const api = await startApi()
    const other = await startApi()
    const auth = authFor(api)
    await auth.getToken()

    await auth.fetch(`${other.url}/users`)
    await auth.fetch(`${other.url}/users`, { headers: { 'x-extra': '1' } })

    expect(other.requests.map((request) => request.authorization)).toEqual([[], []])
  })

  it.each([
    ['a plain object', { Authorization: 'Bearer mine', AUTHORIZATION: 'ApiKey x', 'x-extra': '1' }],
    ['a Headers', new Headers({ Authorization: 'Bearer mine', 'x-extra': '1' })],
    [
      'pairs',
      [
        ['authorization', 'Bearer mine'],
        ['x-extra', '1'],
      ] as [string, string][],
    ],
  ])(
    "replaces the caller's own Authorization given as %s, keeping the rest",
    async (_kind, headers) => {
      const api = await startApi()
      const auth = authFor(api)

      await auth.fetch('/users', { headers })

      const call = api.requests.at(-1)
      expect(call?.authorization).toEqual([`Bearer ${auth.peekToken()?.value}`])
      expect(call?.headers['x-extra']).toBe('1')
    }
  )

  it('hands the transport headers of the kind it was given: a plain object stays one', async () => {
    const api = await startApi()
    const kinds: string[] = []
    const auth = authFor(api, {
      fetch: (input, init) => {
        if (String(input).endsWith('/users')) kinds.push(init?.headers?.constructor.name ?? '')

        return globalThis.fetch(input, init)
      },
    })

    await auth.fetch('/users', { headers: { 'x-extra': '1' } })
    await auth.fetch('/users', { headers: new Headers({ 'x-extra': '1' }) })

    expect(kinds).toEqual(['Object', 'Headers'])
  })

  it('drops a caller-given Authorization on a redirect to another origin', async () => {
    const api = await startApi()
    const other = await startApi()
    api.faults.route('/moved', { status: 302, headers: { location: `${other.url}/users` } })
    const auth = authFor(api)

    await auth.fetch('/moved', { headers: { Authorization: 'Bearer mine', 'x-extra': '1' } })

    expect(other.requests[0]?.authorization).toEqual([])
    expect(other.requests[0]?.headers['x-extra']).toBe('1')
  })

  it('follows a redirect to another origin without the bearer', async () => {
    const api = await startApi()
    const other = await startApi()
    api.faults.route('/moved', { status: 302, headers: { location: `${other.url}/users` } })
    const auth = authFor(api)

    const response = await auth.fetch('/moved')

    expect(response.status).toBe(401)
    expect(other.requests).toHaveLength(1)
    expect(other.requests[0]?.authorization).toEqual([])
    expect(api.counters.tokenRequests).toBe(1)
  })

  it('follows a same-origin redirect with the bearer', async () => {
    const api = await startApi()
    api.faults.route('/old-users', { status: 307, headers: { location: '/users' } })
    const auth = authFor(api)

    const response = await auth.fetch('/old-users')

    expect(response.status).toBe(200)
    const last = api.requests.at(-1)
    expect(last?.path).toBe('/users')
    expect(last?.authorization).toEqual([`Bearer ${auth.peekToken()?.value}`])
  })

  it('C03: a route that always answers 401 costs one refresh and one retry, then `unauthorized`', async () => {
    const api = await startApi()
    api.faults.route('/users', { status: 401 })
    const auth = authFor(api)

    const error = (await rejectionOf(auth.fetch('/users?limit=1'))) as LoyalError

    expect(error.code).toBe('unauthorized')
    expect(error).toMatchObject({ upstreamStatus: 401, status: 502, method: 'GET', path: '/users' })
    expect(api.counters.tokenRequests).toBe(2)
    expect(api.counters.paths['/users']).toBe(2)
    await settle()
    expect(api.requests).toHaveLength(4)
  })

  it('C03: concurrent requests to such a route share the refresh and retry once each', async () => {
    const api = await startApi()
    api.faults.route('/users', { status: 401 })
    const auth = authFor(api)
    await auth.getToken()

    const results = await Promise.allSettled(Array.from({ length: 5 }, () => auth.fetch('/users')))

    expect(results.every((result) => result.status === 'rejected')).toBe(true)
    expect(api.counters.paths['/users']).toBe(10)
    expect(api.counters.tokenRequests).toBe(2)
  })

  it('C05: a request queued during the refresh and the replay both send one `Bearer T2`', async () => {
    const api = await startApi()
    const auth = authFor(api)
    const t1 = await auth.getToken()
    api.revoke(t1.value)
    api.faults.token({ delay: 100, times: 1 })

    const first = auth.fetch('/users')
    await until(() => api.counters.tokenRequests === 2)
    const queued = auth.fetch('/rules')
    const responses = await Promise.all([first, queued])

    expect(responses.map((response) => response.status)).toEqual([200, 200])
    const t2 = auth.peekToken()?.value
    expect(t2).not.toBe(t1.value)
    const calls = api.requests.filter((request) => request.kind === 'api')
    expect(calls.map((call) => [call.path, call.authorization])).toEqual([
      ['/users', [`Bearer ${t1.value}`]],
      ['/users', [`Bearer ${t2}`]],
      ['/rules', [`Bearer ${t2}`]],
    ])
  })

  it('an aborted request stops waiting for the first token; the others get it', async () => {
    const api = await startApi()
    // The first token request hangs until its attempt times out; the retry answers.
    api.faults.token({ hang: true, times: 1 })
    const auth = authFor(api, { timeoutDuration: 1_000 })
    const controller = new AbortController()

    const impatient = auth.fetch('/users', { signal: controller.signal })
    const patient = auth.fetch('/rules')
    await until(() => api.counters.tokenRequests === 1)
    controller.abort()

    expect(((await rejectionOf(impatient)) as LoyalError).code).toBe('timeout')
    expect(api.counters.tokensIssued).toBe(0)
    expect((await patient).status).toBe(200)
    expect(api.counters.paths['/users']).toBeUndefined()
    expect(api.counters.tokenRequests).toBe(2)
  })

  it('an aborted request stops waiting for the token after a 401', async () => {
    const api = await startApi()
    const auth = authFor(api, { timeoutDuration: 1_000 })
    const t1 = await auth.getToken()
    api.revoke(t1.value)
    api.faults.token({ hang: true, times: 1 })
    const controller = new AbortController()

    const impatient = auth.fetch('/users', { signal: controller.signal })
    const patient = auth.fetch('/rules')
    await until(() => api.counters.tokenRequests === 2)
    controller.abort()

    expect(((await rejectionOf(impatient)) as LoyalError).code).toBe('timeout')
    expect(api.counters.tokensIssued).toBe(1)
    expect((await patient).status).toBe(200)
    expect(api.counters.paths['/users']).toBe(1)
    expect(api.counters.tokenRequests).toBe(3)
  })

  it('replays a POST after a 401 with the same body', async () => {
    const api = await startApi()
    api.faults.route('/rules', { status: 401, method: 'POST', times: 1 })
    const auth = authFor(api)
    const body = JSON.stringify({ name: 'Replayed rule', enabled: true })

    const response = await auth.fetch('/rules', {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json' },
    })

    expect(response.status).toBeLessThan(300)
    const posts = api.requests.filter(
      (request) => request.method === 'POST' && request.kind === 'api'
    )
    expect(posts.map((post) => post.body)).toEqual([body, body])
  })

  it('a streamed body cannot be replayed: the 401 refreshes the token, then `unauthorized`', async () => {
    const api = await startApi()
    api.faults.route('/rules', { status: 401, method: 'POST', times: 1 })
    const auth = authFor(api)
    const t1 = await auth.getToken()
    const stream = new Blob(['{"name":"x"}']).stream()

    const error = (await rejectionOf(
      auth.fetch('/rules', { method: 'POST', body: stream, duplex: 'half' } as RequestInit)
    )) as LoyalError

    expect(error.code).toBe('unauthorized')
    expect(auth.peekToken()?.value).not.toBe(t1.value)
  })

  it('takes a Request: its method, headers and body, replayed after a 401', async () => {
    const api = await startApi()
    api.faults.route('/rules', { status: 401, method: 'POST', times: 1 })
    const auth = authFor(api)
    const body = JSON.stringify({ name: 'From a Request', enabled: true })
    const request = new Request(`${api.url}/rules`, {
      method: 'POST',
      body,
      headers: { 'content-type': 'application/json', 'x-extra': '1' },
    })

    const response = await auth.fetch(request)

    expect(response.status).toBeLessThan(300)
    const posts = api.requests.filter((sent) => sent.method === 'POST' && sent.kind === 'api')
    expect(posts.map((post) => post.body)).toEqual([body, body])
    expect(posts[1]?.authorization).toEqual([`Bearer ${auth.peekToken()?.value}`])
    expect(posts[1]?.headers['x-extra']).toBe('1')
  })

  it('lets init override a Request, and refuses other inputs with config', async () => {
    const api = await startApi()
    const auth = authFor(api)

    const response = await auth.fetch(new Request(`${api.url}/users`), { method: 'HEAD' })
    expect(response.status).toBe(200)
    expect(api.requests.at(-1)?.method).toBe('HEAD')

    const error = (await rejectionOf(auth.fetch(42 as unknown as string))) as LoyalError
    expect(error.code).toBe('config')
    expect(error.message).toContain('"pathOrUrl"')
  })

  it('returns a 403 as it is, without refreshing', async () => {
    const api = await startApi({ scopes: ['rules:read'] })
    const auth = authFor(api)

    const response = await auth.fetch('/rules', { method: 'POST', body: '{}' })

    expect(response.status).toBe(403)
    expect(api.counters.tokenRequests).toBe(1)

    // The way the READMEs show to make it a LoyalError.
    const error = errorFromResponse(response, 'POST', '/rules')
    expect(error?.code).toBe('insufficient_scope')
    expect(error?.httpStatus).toBe(403)
    expect(error?.upstreamStatus).toBe(403)
  })

  it('returns other statuses as they are', async () => {
    const api = await startApi()
    api.faults.route('/users', { status: 530, body: { message: 'down' } })
    const auth = authFor(api)

    const response = await auth.fetch('/users')

    expect(response.status).toBe(530)
    expect(await response.json()).toEqual({ message: 'down' })
  })
})

describe('LoyalAuth.fetch, as fetch would', () => {
  it.each([
    ['a plain object', (h: Record<string, string>) => h],
    ['a Headers', (h: Record<string, string>) => new Headers(h)],
  ])(
    "drops the caller's cookie and proxy credentials, given as %s, on a hop to another origin",
    async (_kind, kind) => {
      const api = await startApi()
      const other = await startApi()
      const auth = authFor(api)
      const to = encodeURIComponent(`${other.url}/users`)
      const headers = kind({
        cookie: 'session=s3cret',
        'proxy-authorization': 'Basic cA==',
        'x-extra': '1',
      })

      await auth.fetch(`/redirect?to=${to}&status=302`, { headers })

      expect(other.requests[0]?.headers).toMatchObject({ 'x-extra': '1' })
      expect(other.requests[0]?.headers).not.toHaveProperty('cookie')
      expect(other.requests[0]?.headers).not.toHaveProperty('proxy-authorization')
      expect(other.requests[0]?.authorization).toEqual([])
    }
  )

  it('keeps the cookie on a redirect within the API', async () => {
    const api = await startApi()
    const auth = authFor(api)

    await auth.fetch('/redirect?to=%2Fusers&status=302', { headers: { cookie: 'a=1' } })

    expect(api.requests.at(-1)?.headers.cookie).toBe('a=1')
  })

  it('sends no bearer back to the API once a hop has left it, and takes its 401 as it is', async () => {
    const api = await startApi()
    const other = await startApi()
    const auth = authFor(api)
    const back = encodeURIComponent(`${api.url}/rules/1`)
    const away = encodeURIComponent(`${other.url}/redirect?to=${back}&status=307`)

    const response = await auth.fetch(`/redirect?to=${away}&status=307`, { method: 'DELETE' })

    const landed = api.requests.filter((one) => one.path === '/rules/1')
    expect(landed.map((one) => one.authorization)).toEqual([[]])
    expect(response.status).toBe(401)
    expect(api.counters.tokenRequests).toBe(1)
  })

  it('sends every hop of a redirect with the headers as they were at the call', async () => {
    const api = await startApi()
    const auth = authFor(api)
    await auth.getToken()
    const headers = { 'x-request-id': 'at-call' }

    const pending = auth.fetch('/redirect?to=%2Fusers&status=302', { headers })
    headers['x-request-id'] = 'changed-later'
    await pending

    const hops = api.requests.filter((one) => one.path === '/redirect' || one.path === '/users')
    expect(hops.map((one) => one.headers['x-request-id'])).toEqual(['at-call', 'at-call'])
  })

  it('refuses, as fetch does, a redirect to a non-HTTP(S) URL or one a streamed body cannot follow', async () => {
    const api = await startApi()
    const auth = authFor(api)
    const toData = `/redirect?to=${encodeURIComponent('data:text/plain,not-the-api')}`
    const stream = Readable.from(['x']) as unknown as BodyInit
    const withStream = { method: 'POST', body: stream, duplex: 'half' } as RequestInit

    await expect(auth.fetch(toData)).rejects.toThrow(TypeError)
    await expect(auth.fetch('/redirect?to=%2Fecho&status=307', withStream)).rejects.toThrow(
      TypeError
    )
  })

  it('says `redirected` of a response it reached through a redirect, as fetch does', async () => {
    const api = await startApi()
    const auth = authFor(api)

    expect((await auth.fetch('/redirect?to=%2Fusers&status=302')).redirected).toBe(true)
    expect((await auth.fetch('/users')).redirected).toBe(false)
  })

  it('takes `null` as init, as fetch does', async () => {
    const api = await startApi()
    const auth = authFor(api)

    expect((await auth.fetch('/users', null)).status).toBe(200)
  })

  it('sends the headers as they were at the call, also when a cold cache makes it wait', async () => {
    const api = await startApi()
    const auth = authFor(api)
    const headers = { 'x-request-id': 'first' }

    const pending = auth.fetch('/users', { headers })
    headers['x-request-id'] = 'second'
    await pending

    expect(api.requests.at(-1)?.headers['x-request-id']).toBe('first')
  })
})

/**
 * A `fetch` answering the way node-fetch does: the body is a Node stream (`destroy`, no
 * `cancel`), read through `text()`, `json()` or `arrayBuffer()`.
 */
const nodeStreamFetch = (async (input: string | URL | Request, init?: RequestInit) => {
  const response = await fetch(input, init)
  const bytes = Buffer.from(await response.arrayBuffer())

  return {
    status: response.status,
    statusText: response.statusText,
    ok: response.ok,
    url: response.url,
    redirected: response.redirected,
    headers: response.headers,
    body: Readable.from([bytes]),
    text: async () => bytes.toString(),
    json: async () => JSON.parse(bytes.toString()),
    arrayBuffer: async () => bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length),
  } as unknown as Response
}) as typeof fetch

describe('LoyalAuth with a fetch answering Node streams (node-fetch and the like)', () => {
  it('retries after a 401 and follows a redirect', async () => {
    const api = await startApi()
    api.faults.route('/users', { status: 401, times: 1 })
    const auth = authFor(api, { fetch: nodeStreamFetch })

    expect((await auth.fetch('/users')).status).toBe(200)
    expect((await auth.fetch('/redirect?to=%2Fusers&status=302')).status).toBe(200)
    expect(api.counters.tokenRequests).toBe(2)
  })

  it('says a refused key is `invalid_api_key`, and retries a 503 of the token endpoint', async () => {
    const api = await startApi()
    const refused = authFor(api, { apiKey: `loyal_test_${'z'.repeat(32)}`, fetch: nodeStreamFetch })

    expect(await rejectionOf(refused.getToken())).toMatchObject({ code: 'invalid_api_key' })

    api.faults.token({ status: 503, times: 1 })
    const flaky = authFor(api, { fetch: nodeStreamFetch, retry: { baseDelay: 1 } })

    await flaky.getToken()
    expect(api.counters.tokenRequests).toBe(3)
  })
})

describe('LoyalAuth.fetch replaying after a 401', () => {
  it('sends the headers of the first attempt, not what the caller changed meanwhile', async () => {
    const api = await startApi()
    api.faults.route('/users', { status: 401, times: 1, delay: 50 })
    const auth = authFor(api)
    await auth.getToken()
    const headers = { 'x-request-id': 'first' }

    const pending = auth.fetch('/users', { headers })
    await new Promise((resolve) => setTimeout(resolve, 10))
    headers['x-request-id'] = 'second'
    await pending

    const sent = api.requests.filter((one) => one.path === '/users')
    expect(sent.map((one) => one.headers['x-request-id'])).toEqual(['first', 'first'])
  })
})
