import { Agent } from 'node:http'
import { inspect } from 'node:util'
import axios, { type AxiosError } from 'axios'
import { afterEach, describe, expect, it } from 'vitest'
import { attachLoyalAuth, createLoyalAxios, isLoyalError } from '../src/index.js'
import {
  expectNoSecrets,
  type LoyalSetup,
  type Recorder,
  setup,
  startRecorder,
} from './helpers/loyal-setup.js'

// C16: whatever escapes holds neither the token nor the API key, however it is looked at.
let loyal: LoyalSetup | undefined
let recorder: Recorder | undefined

afterEach(async () => {
  await loyal?.close()
  await recorder?.close()
  loyal = undefined
  recorder = undefined
})

async function failure(run: () => Promise<unknown>): Promise<unknown> {
  return run().then(
    () => expect.unreachable('the call should have failed'),
    (error: unknown) => error
  )
}

describe('axios errors of API requests', () => {
  it('hold no secret after a 403, and still say what happened', async () => {
    loyal = await setup({ scopes: ['rules:read'] })
    const { api, auth } = loyal
    const token = (await auth.getToken()).value
    const client = createLoyalAxios(auth)

    const error = (await failure(() => client.post('/rules', { name: 'x' }))) as AxiosError

    expect(axios.isAxiosError(error)).toBe(true)
    expect(error.response?.status).toBe(403)
    expect(error.config?.headers.get('Authorization')).toBe('[redacted]')
    expect(error.request).toEqual({ method: 'POST', origin: api.url, path: '/rules' })
    expectNoSecrets(error, [token, api.apiKey])
  })

  it('hold no secret when the API error body echoes the request, and keep its shape', async () => {
    loyal = await setup()
    const { api, auth } = loyal
    const token = (await auth.getToken()).value
    api.faults.route('/users/3', { echo: true, status: 500 })
    const client = createLoyalAxios(auth)

    const error = (await failure(() => client.get('/users/3'))) as AxiosError
    const data = error.response?.data as { message: string; request: { headers: object } }

    expect(error.response?.status).toBe(500)
    expect(data.message).toBe('Unhandled exception while serving GET /users/3')
    expect(Object.values(data.request.headers)).toContain('Bearer [redacted]')
    expect(inspect(error)).not.toContain(token)
    expectNoSecrets(error, [token, api.apiKey])
  })

  it('hold no secret when the echoed body is read as text', async () => {
    loyal = await setup()
    const { api, auth } = loyal
    const token = (await auth.getToken()).value
    api.faults.route('/users/3', { echo: true, status: 500 })
    const client = createLoyalAxios(auth, { responseType: 'text' })

    const error = (await failure(() => client.get('/users/3'))) as AxiosError

    expect(error.response?.data).toEqual(expect.stringContaining('Bearer [redacted]'))
    expectNoSecrets(error, [token, api.apiKey])
  })

  it('keep a body that holds no secret as axios parsed it', async () => {
    loyal = await setup({ scopes: ['rules:read'] })
    const client = createLoyalAxios(loyal.auth)

    const error = (await failure(() => client.post('/rules', { name: 'x' }))) as AxiosError

    expect(error.response?.data).toEqual({
      message: 'Insufficient scope: "rules:write" is required',
      required: 'rules:write',
    })
  })

  it('hold no secret after a timeout, when axios keeps the raw request', async () => {
    loyal = await setup()
    const { api, auth } = loyal
    const token = (await auth.getToken()).value
    api.faults.route('/users', { hang: true })
    const client = createLoyalAxios(auth, { timeout: 100 })

    const error = (await failure(() => client.get('/users'))) as AxiosError

    expect(error.code).toBe('ECONNABORTED')
    expectNoSecrets(error, [token, api.apiKey])
  })

  it('hold no secret after a failed redirect hop', async () => {
    loyal = await setup()
    const { api, auth } = loyal
    const token = (await auth.getToken()).value
    const client = createLoyalAxios(auth)
    const to = `${api.url}/redirect?to=${encodeURIComponent(`${api.url}/users/999999`)}`

    const error = (await failure(() => client.get(to))) as AxiosError

    expect(error.response?.status).toBe(404)
    expectNoSecrets(error, [token, api.apiKey])
  })
  it('hold no secret when axios fails after the response arrived (strict JSON)', async () => {
    loyal = await setup()
    const { api, auth } = loyal
    const token = (await auth.getToken()).value
    api.faults.route('/users', { status: 200, body: '{"users": [' })
    // Strict parsing turns a body that is not JSON into an axios error after our adapter.
    const client = createLoyalAxios(auth, {
      responseType: 'json',
      transitional: { silentJSONParsing: false },
    })

    const error = (await failure(() => client.get('/users'))) as AxiosError

    expect(axios.isAxiosError(error)).toBe(true)
    expect(error.config?.headers.get('Authorization')).toBeUndefined()
    expect(inspect(error, { depth: 20 })).not.toContain(token)
    expectNoSecrets(error, [token, api.apiKey])
  })
})

describe('axios errors of API requests, whatever the axios setup', () => {
  it('hold no secret with the fetch adapter, the error it wraps included', async () => {
    loyal = await setup({ scopes: ['rules:read'] })
    const { api, auth } = loyal
    const token = (await auth.getToken()).value
    const client = createLoyalAxios(auth, { adapter: 'fetch' })

    const error = (await failure(() => client.post('/rules', { name: 'x' }))) as AxiosError

    expect(error.response?.status).toBe(403)
    expect(inspect(error)).not.toContain(token)
    expect(inspect(error, { depth: 20 })).not.toContain(token)
    expectNoSecrets(error, [token, api.apiKey])
  })

  it('hold no secret when the config names a keep-alive agent', async () => {
    loyal = await setup()
    const { api, auth } = loyal
    const token = (await auth.getToken()).value
    api.faults.route('/rules', { status: 500 })
    const httpAgent = new Agent({ keepAlive: true })
    const client = createLoyalAxios(auth, { httpAgent })

    try {
      await client.get('/users')
      const error = (await failure(() => client.get('/rules'))) as AxiosError

      expect(error.response?.status).toBe(500)
      expect(inspect(error, { depth: 30 })).not.toContain(token)
      expectNoSecrets(error, [token, api.apiKey])
    } finally {
      httpAgent.destroy()
    }
  })

  it("reach the caller's own error interceptors scrubbed, also ones registered first", async () => {
    loyal = await setup({ scopes: ['rules:read'] })
    const { api, auth } = loyal
    const token = (await auth.getToken()).value
    const client = axios.create({ baseURL: api.url })
    const seen: string[] = []
    client.interceptors.response.use(null, (error: unknown) => {
      seen.push(inspect(error, { depth: 20 }))
      throw error
    })
    attachLoyalAuth(client, auth)

    await failure(() => client.post('/rules', { name: 'x' }))

    expect(seen).toHaveLength(1)
    expect(seen[0]).not.toContain(token)
  })
})

describe('successful API responses', () => {
  it('show no secret when logged, and keep method, origin and path of the request', async () => {
    loyal = await setup()
    const { api, auth } = loyal
    const client = createLoyalAxios(auth)

    const response = await client.get('/users', { params: { limit: 1 } })
    const token = (await auth.getToken()).value

    expect(response.status).toBe(200)
    expect(inspect(response)).not.toContain(token)
    expect(inspect(response, { depth: 20 })).not.toContain(token)
    expect(response.config.headers.get('Authorization')).toBeUndefined()
    expect(response.config.headers.has('Authorization')).toBe(false)
    expect(response.config.headers.toJSON()).not.toHaveProperty('Authorization')
    expect(JSON.stringify(response.config)).not.toContain(token)
    expect(JSON.parse(JSON.stringify(response.request))).toEqual({
      method: 'GET',
      origin: api.url,
      path: '/users',
    })
  })
})

describe('what a keep-alive agent leads to', () => {
  it.each([
    ['a 401 answered twice (validateStatus takes every status)', 'twice'],
    ['a 401 while the token endpoint is down', 'renewal fails'],
  ])('holds no bearer after %s', async (_case, kind) => {
    loyal = await setup({}, { retry: { attempts: 1 } })
    const { api, auth } = loyal
    const token = (await auth.getToken()).value
    const agent = new Agent({ keepAlive: true })
    const client = createLoyalAxios(auth, { httpAgent: agent, validateStatus: () => true })

    api.faults.route('/users', { status: 401, times: kind === 'twice' ? 2 : 1 })
    if (kind === 'renewal fails') api.faults.token({ status: 503 })

    try {
      await client.get('/users').catch(() => undefined)

      expect(inspect(agent, { depth: Number.POSITIVE_INFINITY })).not.toContain(token)
    } finally {
      agent.destroy()
    }
  })

  it('holds no bearer in a streamed response, read or not', async () => {
    loyal = await setup()
    const client = createLoyalAxios(loyal.auth)

    const response = await client.get('/users', { responseType: 'stream' })
    const token = (await loyal.auth.getToken()).value

    expect(inspect(response, { depth: 6 })).not.toContain(token)
    for await (const _chunk of response.data) {
      // drained
    }
    expect(inspect(response, { depth: 6 })).not.toContain(token)
  })

  it('holds no bearer, from an API response or from a later response of another host', async () => {
    loyal = await setup()
    recorder = await startRecorder()
    const agent = new Agent({ keepAlive: true })
    const client = createLoyalAxios(loyal.auth, { httpAgent: agent })

    try {
      const fromApi = await client.get('/users')
      const fromOther = await client.get(`${recorder.url}/status`)
      const token = (await loyal.auth.getToken()).value

      expect(inspect(fromApi, { depth: 30 })).not.toContain(token)
      expect(inspect(fromOther, { depth: 30 })).not.toContain(token)
      expect(inspect(agent, { depth: 30 })).not.toContain(token)
    } finally {
      agent.destroy()
    }
  })
})

describe('axios errors of requests to other hosts', () => {
  it('lead to no earlier API request through the shared agent', async () => {
    loyal = await setup()
    recorder = await startRecorder()
    const { api, auth } = loyal
    const client = createLoyalAxios(auth)

    await client.get('/users')
    const token = (await auth.getToken()).value
    const error = (await failure(() => client.get(`${recorder?.url}/401/x`))) as AxiosError

    expect(error.response?.status).toBe(401)
    expect(error.request).toEqual({ method: 'GET', origin: recorder.url, path: '/401/x' })
    expect(error.response?.request).toBe(error.request)
    expect(inspect(error, { depth: 20 })).not.toContain(token)
    expectNoSecrets(error, [token, api.apiKey])
  })

  it('lose the raw request also when the connection is refused', async () => {
    loyal = await setup()
    recorder = await startRecorder()
    const { auth } = loyal
    const client = createLoyalAxios(auth)
    const closed = recorder.url

    await recorder.close()
    recorder = undefined
    await client.get('/users')
    const token = (await auth.getToken()).value
    const error = (await failure(() => client.get(`${closed}/gone`))) as AxiosError

    expect(error.code).toBe('ECONNREFUSED')
    expect(inspect(error, { depth: 20 })).not.toContain(token)
  })
})

describe('LoyalErrors raised through axios', () => {
  it('hold no secret when the retry is refused too (cause included)', async () => {
    loyal = await setup()
    const { api, auth } = loyal
    const token = (await auth.getToken()).value
    api.faults.route('/users', { status: 401 })
    const client = createLoyalAxios(auth)

    const error = await failure(() => client.get('/users'))
    const renewed = (await auth.getToken()).value

    expect(isLoyalError(error) && error.code).toBe('unauthorized')
    expectNoSecrets(error, [token, renewed, api.apiKey])
  })

  it('hold no secret when the token server answers 500 echoing the request', async () => {
    loyal = await setup({}, { retry: { attempts: 1 } })
    const { api, auth } = loyal
    api.faults.token({ status: 500, echo: true })
    const client = createLoyalAxios(auth)

    const error = await failure(() => client.get('/users'))

    expect(isLoyalError(error) && error.code).toBe('token_endpoint_unavailable')
    expectNoSecrets(error, [api.apiKey])
  })
})
