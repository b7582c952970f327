import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { type LoyalApi, startLoyalApi } from '../src/index.js'
import { callApi, requestToken } from './support.js'

let api: LoyalApi

beforeAll(async () => {
  api = await startLoyalApi()
})

afterEach(() => api.reset())

afterAll(() => api.close())

async function tokenAnswer(): Promise<{ status: number; headers: Headers; text: string }> {
  const response = await requestToken(api)

  return { status: response.status, headers: response.headers, text: await response.text() }
}

describe('token faults', () => {
  it('answers 503 the given number of times, then issues tokens again', async () => {
    const fault = api.faults.token({ status: 503, times: 1 })

    const failed = await tokenAnswer()
    const recovered = await tokenAnswer()

    expect(failed).toMatchObject({ status: 503, text: '{"message":"Service Unavailable"}' })
    expect(recovered.status).toBe(200)
    expect(fault.hits).toBe(1)
    expect(fault.remaining).toBe(0)
    expect(api.faults.active).toBe(0)
    expect(api.counters.faulted).toBe(1)
  })

  it('answers 530 with a message body', async () => {
    api.faults.token({ status: 530, times: 1 })

    const answer = await tokenAnswer()

    expect(answer.status).toBe(530)
    expect(JSON.parse(answer.text)).toEqual({ message: expect.any(String) })
  })

  it('answers 429 with Retry-After in seconds', async () => {
    api.faults.token({ status: 429, retryAfter: 7, times: 1 })

    const answer = await tokenAnswer()

    expect(answer.status).toBe(429)
    expect(answer.headers.get('retry-after')).toBe('7')
  })

  it('sends Retry-After as an HTTP date when given a Date', async () => {
    const when = new Date('2030-01-01T00:00:00Z')

    api.faults.token({ status: 503, retryAfter: when, times: 1 })

    expect((await tokenAnswer()).headers.get('retry-after')).toBe(when.toUTCString())
  })

  it('applies a fault until it is cleared when no count is given', async () => {
    const fault = api.faults.token({ status: 500 })

    expect((await tokenAnswer()).status).toBe(500)
    expect((await tokenAnswer()).status).toBe(500)

    fault.clear()
    expect((await tokenAnswer()).status).toBe(200)
    expect(fault.hits).toBe(2)
  })

  it('applies queued faults oldest first', async () => {
    api.faults.token({ status: 500, times: 1 })
    api.faults.token({ status: 503, times: 1 })

    expect((await tokenAnswer()).status).toBe(500)
    expect((await tokenAnswer()).status).toBe(503)
    expect((await tokenAnswer()).status).toBe(200)
  })

  it('sends a custom body as is', async () => {
    api.faults.token({ status: 502, body: 'Bad gateway', times: 1 })

    expect(await tokenAnswer()).toMatchObject({ status: 502, text: 'Bad gateway' })
  })

  it.each([
    ['not-json', /^<html>/],
    ['empty', /^$/],
    ['no-token', /^\{"authenticated":true\}$/],
    ['not-jwt', /"token":"not-a-jwt"/],
    ['bad-claims', /"token":"eyJ[^.]+\.[^.]+\.[^.]+"/],
  ] as const)('answers a malformed body: %s', async (malformed, pattern) => {
    api.faults.token({ malformed, times: 1 })

    const answer = await tokenAnswer()

    expect(answer.status).toBe(200)
    expect(answer.text).toMatch(pattern)
    expect(api.counters.tokensIssued).toBe(0)
  })

  it('adds the headers of a headers-only fault to the token it issues', async () => {
    api.faults.token({ headers: { 'X-Trace': 'token' }, times: 1 })

    const answer = await tokenAnswer()

    expect(answer.status).toBe(200)
    expect(answer.headers.get('x-trace')).toBe('token')
    expect(JSON.parse(answer.text)).toMatchObject({ authenticated: true })
  })

  it('answers authenticated false', async () => {
    api.faults.token({ authenticated: false, times: 1 })

    expect(await tokenAnswer()).toMatchObject({ status: 200, text: '{"authenticated":false}' })
  })

  it('echoes the request, API key included, in a 500', async () => {
    api.faults.token({ echo: true, times: 1 })

    const answer = await tokenAnswer()

    expect(answer.status).toBe(500)
    expect(answer.text).toContain(`ApiKey ${api.apiKey}`)
  })

  it('answers normally, only late, with a delay alone', async () => {
    api.faults.token({ delay: 300, times: 1 })

    const pending = tokenAnswer()

    // Received but not answered yet: the delay holds the answer back.
    await expect.poll(() => api.requests.length, { interval: 5 }).toBe(1)
    expect(api.requests[0]?.status).toBeUndefined()

    expect((await pending).status).toBe(200)
    expect(api.requests[0]?.status).toBe(200)
  })

  it('issues a token with overrides', async () => {
    api.faults.token({ token: { expFormat: 'none', scopes: ['users:read'] }, times: 1 })

    const { token } = JSON.parse((await tokenAnswer()).text) as { token: string }
    const claims = await api.verifyToken(token)

    expect(claims).not.toHaveProperty('exp')
    expect(claims).toMatchObject({ scopes: 'users:read' })
    expect(api.counters.tokensIssued).toBe(1)
  })

  it('hangs until the client gives up', async () => {
    api.faults.token({ hang: true, times: 1 })

    const hung = fetch(api.tokenUrl, {
      method: 'POST',
      headers: { Authorization: `ApiKey ${api.apiKey}` },
      signal: AbortSignal.timeout(200),
    })

    await expect(hung).rejects.toThrow()
    expect(api.requests[0]?.status).toBeUndefined()
    expect((await tokenAnswer()).status).toBe(200)
  })

  it('refuses a count that is not positive', () => {
    expect(() => api.faults.token({ status: 500, times: 0 })).toThrow('"times"')
  })
})

describe('route faults', () => {
  it('answers 401 on one path whatever the token', async () => {
    const token = await api.issueToken()

    api.faults.route('/empower/rollups/1', { status: 401 })

    expect((await callApi(api, '/empower/rollups/1', token)).status).toBe(401)
    expect((await callApi(api, '/empower/rollups/1', token)).status).toBe(401)
    expect((await callApi(api, '/empower/rollups/2', token)).status).toBe(200)
    expect(api.counters.unauthorized).toBe(2)
  })

  it('matches patterns, RegExps and methods', async () => {
    const token = await api.issueToken()

    api.faults.route('/rules/:id', { status: 530, method: 'DELETE' })
    api.faults.route(/^\/users/g, { status: 500, times: 2 })

    expect((await callApi(api, '/rules/2', token, { method: 'DELETE' })).status).toBe(530)
    expect((await callApi(api, '/rules/2', token)).status).toBe(200)
    // A `g` RegExp keeps matching: the server strips the flag that makes test() stateful.
    expect((await callApi(api, '/users/1', token)).status).toBe(500)
    expect((await callApi(api, '/users/1', token)).status).toBe(500)
    expect((await callApi(api, '/users/1', token)).status).toBe(200)
  })

  it('echoes the request, bearer included, in a 500', async () => {
    const token = await api.issueToken()

    api.faults.route('/users', { echo: true, times: 1 })

    const response = await callApi(api, '/users', token)

    expect(response.status).toBe(500)
    expect(JSON.stringify(response.body)).toContain(`Bearer ${token}`)
  })

  it('delays a route and then answers normally', async () => {
    const token = await api.issueToken()
    const fault = api.faults.route('/users', { delay: 50, times: 1 })

    expect((await callApi(api, '/users', token)).status).toBe(200)
    expect(fault.hits).toBe(1)
  })

  it('adds the headers of a headers-only fault to the normal answer', async () => {
    const token = await api.issueToken()

    api.faults.route('/users', { headers: { 'X-Trace': 'route' }, times: 1 })

    const faulted = await callApi(api, '/users', token)
    const normal = await callApi(api, '/users', token)

    expect(faulted.status).toBe(200)
    expect(faulted.headers.get('x-trace')).toBe('route')
    expect(faulted.body).toEqual(normal.body)
    expect(normal.headers.get('x-trace')).toBeNull()
  })

  it('are removed by reset()', async () => {
    api.faults.route('/users', { status: 500 })
    api.faults.token({ status: 500 })
    api.reset()

    expect(api.faults.active).toBe(0)
    expect((await tokenAnswer()).status).toBe(200)
  })
})
