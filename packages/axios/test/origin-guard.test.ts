import axios, { type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { attachLoyalAuth, createLoyalAxios } from '../src/index.js'
import { createApiRequestTest } from '../src/request-target.js'
import { type LoyalSetup, type Recorder, setup, startRecorder } from './helpers/loyal-setup.js'

// C17: no Authorization header of ours reaches anything but the API's origin.
let loyal: LoyalSetup
let samePortless: Recorder
let otherHost: Recorder
let bearer: string

beforeAll(async () => {
  loyal = await setup()
  samePortless = await startRecorder('127.0.0.1')
  otherHost = await startRecorder('127.0.0.2')
  bearer = `Bearer ${(await loyal.auth.getToken()).value}`
})

afterAll(async () => {
  await Promise.all([loyal.close(), samePortless.close(), otherHost.close()])
})

beforeEach(() => {
  samePortless.seen.length = 0
  otherHost.seen.length = 0
})

/** Every `Authorization` value the API's `/echo` route says it received. */
function echoedAuthorization(response: { data: { headers: Record<string, unknown> } }): unknown {
  return response.data.headers.authorization
}

function redirectVia(to: string, status = 302): string {
  return `/redirect?${new URLSearchParams({ to, status: String(status) })}`
}

describe('absolute URLs', () => {
  it('sends nothing to another host named by a URL object (older axios sends it there)', async () => {
    const client = createLoyalAxios(loyal.auth)

    await client.get(new URL(`${otherHost.url}/as-object`) as never).catch(() => undefined)

    expect(otherHost.seen.flatMap((request) => request.authorization)).toEqual([])
    expect(createApiRequestTest(loyal.auth)({ url: new URL(otherHost.url) as never })).toBe(false)
  })

  it('sends nothing to another host with allowAbsoluteUrls: false, whatever the axios', async () => {
    const client = createLoyalAxios(loyal.auth)
    const isApiRequest = createApiRequestTest(loyal.auth)

    await client.get(`${otherHost.url}/absolute`, { allowAbsoluteUrls: false }).catch(() => 0)

    expect(otherHost.seen.flatMap((request) => request.authorization)).toEqual([])
    expect(
      isApiRequest({
        url: `${otherHost.url}/absolute`,
        baseURL: loyal.api.url,
        allowAbsoluteUrls: false,
      })
    ).toBe(false)
    expect(
      isApiRequest({
        url: `${loyal.api.url}/users`,
        baseURL: otherHost.url,
        allowAbsoluteUrls: false,
      })
    ).toBe(false)
  })

  it('sends the bearer to the API origin (the control)', async () => {
    const client = createLoyalAxios(loyal.auth)

    const response = await client.get(`${loyal.api.url}/echo`)

    expect(echoedAuthorization(response)).toEqual([bearer])
  })

  it('sends nothing to the same host on another port', async () => {
    const client = createLoyalAxios(loyal.auth)

    await client.get(`${samePortless.url}/elsewhere`)

    expect(samePortless.seen.map((request) => request.authorization)).toEqual([[]])
  })

  it('sends nothing to another loopback host', async () => {
    const client = createLoyalAxios(loyal.auth)

    await client.post(`${otherHost.url}/elsewhere`, { hello: 'world' })

    expect(otherHost.seen.map((request) => request.authorization)).toEqual([[]])
  })

  it('sends nothing to the API host and port under another scheme or host name', async () => {
    const seen: InternalAxiosRequestConfig[] = []
    const adapter: AxiosAdapter = (config) => {
      seen.push(config)

      return Promise.resolve({ data: {}, status: 200, statusText: 'OK', headers: {}, config })
    }
    const client = createLoyalAxios(loyal.auth, { adapter })
    const { port } = new URL(loyal.api.url)

    await client.get(`https://127.0.0.1:${port}/echo`)
    await client.get(`http://localhost:${port}/echo`)
    await client.get(`//127.0.0.1:${port}/echo`)

    expect(seen.map((config) => config.headers.get('Authorization'))).toEqual([
      undefined,
      undefined,
      undefined,
    ])
  })

  it('keeps the caller’s own Authorization for other hosts', async () => {
    const client = createLoyalAxios(loyal.auth)

    await client.get(`${otherHost.url}/mine`, { headers: { Authorization: 'Basic bWU6cHc=' } })

    expect(otherHost.seen[0]?.authorization).toEqual(['Basic bWU6cHc='])
  })

  it('removes our bearer when a reused config points elsewhere', async () => {
    const client = createLoyalAxios(loyal.auth)
    const { config } = await client.get('/users')

    await client.request({ ...config, url: `${otherHost.url}/reused` })

    expect(otherHost.seen.map((request) => request.authorization)).toEqual([[]])
  })

  it("keeps the caller's own Authorization to another host, whatever its scheme", async () => {
    const client = createLoyalAxios(loyal.auth)
    const own = ['Bearer my-other-service-token', 'ApiKey abc123', 'Basic dXNlcjpwYXNz']

    for (const authorization of own) {
      await client.get(`${otherHost.url}/own`, { headers: { Authorization: authorization } })
    }

    expect(otherHost.seen.map((request) => request.authorization)).toEqual(own.map((v) => [v]))
  })

  it('removes an older token of ours too when a reused config points elsewhere', async () => {
    // Its own API and auth: renewing the token must not touch the file's shared one.
    const own = await setup()

    try {
      const client = createLoyalAxios(own.auth)
      const { config } = await client.get('/users')
      await own.auth.getToken({ forceRefresh: true })

      await client.request({ ...config, url: `${otherHost.url}/reused` })

      expect(otherHost.seen.map((request) => request.authorization)).toEqual([[]])
    } finally {
      await own.close()
    }
  })

  it('removes our bearer when a later interceptor moves the request elsewhere', async () => {
    const client = axios.create({ baseURL: loyal.api.url })
    // Registered first, so with axios' default ordering it runs after ours.
    client.interceptors.request.use((config) => {
      config.baseURL = otherHost.url

      return config
    })
    attachLoyalAuth(client, loyal.auth)

    await client.get('/moved')

    expect(otherHost.seen.map((request) => request.authorization)).toEqual([[]])
  })
})

describe('redirects', () => {
  it('keeps the bearer on a redirect within the API origin', async () => {
    const client = createLoyalAxios(loyal.auth)

    const response = await client.get(redirectVia(`${loyal.api.url}/echo`))

    expect(echoedAuthorization(response)).toEqual([bearer])
  })

  it.each([
    [302, 'get'],
    [307, 'post'],
    [308, 'put'],
  ] as const)('drops it on a %i to another port (%s)', async (status, method) => {
    const client = createLoyalAxios(loyal.auth)

    await client.request({
      method,
      url: redirectVia(`${samePortless.url}/landing`, status),
      data: { kept: true },
    })

    expect(samePortless.seen.map((request) => request.authorization)).toEqual([[]])
  })

  it('drops it on a redirect to another host', async () => {
    const client = createLoyalAxios(loyal.auth)

    await client.get(redirectVia(`${otherHost.url}/landing`))

    expect(otherHost.seen).toHaveLength(1)
    expect(otherHost.seen[0]?.authorization).toEqual([])
  })

  it('drops it when a redirect leads elsewhere and back again', async () => {
    const client = createLoyalAxios(loyal.auth)
    const back = `${loyal.api.url}${redirectVia(`${samePortless.url}/hop`)}`

    await client.get(redirectVia(back))

    expect(samePortless.seen.map((request) => request.authorization)).toEqual([[]])
  })

  it('sends no bearer back to the API once a redirect has left it, and takes its 401 as it is', async () => {
    const client = createLoyalAxios(loyal.auth)
    const before = loyal.api.counters.tokenRequests
    const bounce = `${otherHost.url}/bounce?${new URLSearchParams({ to: `${loyal.api.url}/users` })}`
    const seenBefore = loyal.api.requests.length

    const error = await client.get(redirectVia(bounce, 307)).catch((caught) => caught)

    const landed = loyal.api.requests.slice(seenBefore).filter((one) => one.path === '/users')
    expect(landed.map((one) => one.authorization)).toEqual([[]])
    expect(axios.isAxiosError(error) && error.response?.status).toBe(401)
    expect(loyal.api.counters.tokenRequests).toBe(before)
  })

  it("drops the caller's cookie and proxy credentials on a redirect to another origin", async () => {
    const client = createLoyalAxios(loyal.auth)
    const headers = { Cookie: 'session=s3cret', 'Proxy-Authorization': 'Basic cA==' }

    await client.get(redirectVia(`${otherHost.url}/landing`), { headers })

    expect(otherHost.seen[0]?.headers).not.toHaveProperty('cookie')
    expect(otherHost.seen[0]?.headers).not.toHaveProperty('proxy-authorization')
  })

  it('sends a reused scrubbed config to another host without the redaction marker', async () => {
    const client = createLoyalAxios(loyal.auth)
    loyal.api.faults.route('/users', { status: 500, times: 1 })

    const error = await client.get('/users').catch((caught) => caught)
    await client.request({ ...error.config, url: `${otherHost.url}/reused` })

    expect(otherHost.seen.map((request) => request.authorization)).toEqual([[]])
  })

  it('leaves a 401 from the host a redirect led to alone: no refresh, no retry', async () => {
    const client = createLoyalAxios(loyal.auth)
    const before = loyal.api.counters.tokenRequests

    const error = await client.get(redirectVia(`${otherHost.url}/401`)).catch((caught) => caught)

    expect(axios.isAxiosError(error) && error.response?.status).toBe(401)
    expect(otherHost.seen).toHaveLength(1)
    expect(loyal.api.counters.tokenRequests).toBe(before)
  })

  it('still calls the caller’s beforeRedirect, after ours', async () => {
    const hops: unknown[] = []
    const client = createLoyalAxios(loyal.auth, {
      beforeRedirect: (options) =>
        hops.push((options.headers as Record<string, unknown>).Authorization),
    })

    await client.get(redirectVia(`${otherHost.url}/landing`))

    expect(hops).toEqual([undefined])
  })

  it('drops it with the fetch adapter too', async () => {
    const client = createLoyalAxios(loyal.auth, { adapter: 'fetch' })

    await client.get(redirectVia(`${otherHost.url}/landing`))

    expect(otherHost.seen.map((request) => request.authorization)).toEqual([[]])
  })
})
