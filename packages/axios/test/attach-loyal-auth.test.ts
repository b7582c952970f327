import { isLoyalError } from '@loyal-auth/core'
import axios, { type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { attachLoyalAuth, createLoyalAxios } from '../src/index.js'
import { type LoyalSetup, setup } from './helpers/loyal-setup.js'

let loyal: LoyalSetup

beforeEach(async () => {
  loyal = await setup()
})

afterEach(async () => {
  await loyal.close()
})

/**
 * An adapter that answers 200 at once and remembers the configs it was given, with the
 * `Authorization` each carried when it was sent (the adapter removes ours once answered).
 */
function recordingAdapter(): AxiosAdapter & {
  calls: InternalAxiosRequestConfig[]
  sentAuthorization: unknown[]
} {
  const calls: InternalAxiosRequestConfig[] = []
  const sentAuthorization: unknown[] = []
  const adapter = (config: InternalAxiosRequestConfig) => {
    calls.push(config)
    sentAuthorization.push(config.headers.get('Authorization'))

    return Promise.resolve({ data: {}, status: 200, statusText: 'OK', headers: {}, config })
  }

  return Object.assign(adapter, { calls, sentAuthorization })
}

function apiRequestsTo(path: string) {
  return loyal.api.requests.filter((request) => request.path === path)
}

describe('createLoyalAxios', () => {
  it('sends exactly one bearer to the API, with baseURL set to auth.baseUrl', async () => {
    const { api, auth } = loyal
    const client = createLoyalAxios(auth)

    const response = await client.get('/users', { params: { limit: 2 } })

    expect(client.defaults.baseURL).toBe(auth.baseUrl)
    expect(response.status).toBe(200)
    expect(response.data).toHaveLength(2)

    const token = await auth.getToken()
    expect(apiRequestsTo('/users').map((request) => request.authorization)).toEqual([
      [`Bearer ${token.value}`],
    ])
    expect(api.counters.tokenRequests).toBe(1)
  })

  it('keeps a baseURL the caller gives, under the API origin', async () => {
    const client = createLoyalAxios(loyal.auth, { baseURL: `${loyal.api.url}/empower` })

    const response = await client.get('/rollups', { params: { limit: 1 } })

    expect(response.status).toBe(200)
    expect(apiRequestsTo('/empower/rollups')).toHaveLength(1)
  })
})

describe('attachLoyalAuth: hot and cold paths', () => {
  it('dispatches a request synchronously when a usable token is cached', async () => {
    const token = await loyal.auth.getToken()
    const adapter = recordingAdapter()
    const client = createLoyalAxios(loyal.auth, { adapter })

    const pending = client.get('/users')

    // No promise of ours stands between the call and the adapter.
    expect(adapter.calls).toHaveLength(1)
    expect(adapter.sentAuthorization[0]).toBe(`Bearer ${token.value}`)
    await pending
  })

  it('installs one adapter and one redirect hook per instance, not one per request', async () => {
    await loyal.auth.getToken()
    const client = createLoyalAxios(loyal.auth, { adapter: recordingAdapter() })

    const [first, second] = await Promise.all([client.get('/users'), client.get('/rules')])

    expect(first.config.adapter).toBeTypeOf('function')
    expect(second.config.adapter).toBe(first.config.adapter)
    expect(first.config.beforeRedirect).toBeTypeOf('function')
    expect(second.config.beforeRedirect).toBe(first.config.beforeRedirect)
  })

  it('waits for the token only when the cache is cold, with one token request', async () => {
    const adapter = recordingAdapter()
    const client = createLoyalAxios(loyal.auth, { adapter })

    const pending = Promise.all([client.get('/users'), client.get('/rules'), client.get('/users')])

    expect(adapter.calls).toHaveLength(0)
    await pending

    const token = await loyal.auth.getToken()
    expect(adapter.sentAuthorization).toEqual([
      `Bearer ${token.value}`,
      `Bearer ${token.value}`,
      `Bearer ${token.value}`,
    ])
    expect(loyal.api.counters.tokenRequests).toBe(1)
  })

  it('fetches a token over real HTTP on a cold cache', async () => {
    const client = createLoyalAxios(loyal.auth)

    const responses = await Promise.all([1, 2, 3].map((id) => client.get(`/users/${id}`)))

    expect(responses.map((response) => response.status)).toEqual([200, 200, 200])
    expect(loyal.api.counters.tokenRequests).toBe(1)
  })
})

describe('attachLoyalAuth: attach and detach', () => {
  it('is harmless when called twice with the same auth', async () => {
    const client = axios.create({ baseURL: loyal.api.url })

    const detach = attachLoyalAuth(client, loyal.auth)
    const again = attachLoyalAuth(client, loyal.auth)
    await client.get('/users')

    expect(again).toBe(detach)
    expect(apiRequestsTo('/users')[0]?.authorization).toHaveLength(1)
    expect(loyal.api.counters.tokenRequests).toBe(1)
  })

  it('refuses a second LoyalAuth on the same instance with a config error', async () => {
    const other = await setup()
    const client = createLoyalAxios(loyal.auth)

    try {
      const attempt = () => attachLoyalAuth(client, other.auth)

      expect(attempt).toThrow(expect.objectContaining({ code: 'config' }))
      expect(isLoyalError(catchError(attempt))).toBe(true)
    } finally {
      await other.close()
    }
  })

  it('stops authenticating after detach, and detach twice is harmless', async () => {
    const client = axios.create({ baseURL: loyal.api.url, validateStatus: () => true })
    const detach = attachLoyalAuth(client, loyal.auth)

    expect((await client.get('/users')).status).toBe(200)

    detach()
    detach()

    const response = await client.get('/users')

    expect(response.status).toBe(401)
    expect(apiRequestsTo('/users').map((request) => request.authorization.length)).toEqual([1, 0])
  })

  it('can attach again after detach', async () => {
    const client = axios.create({ baseURL: loyal.api.url })

    attachLoyalAuth(client, loyal.auth)()
    attachLoyalAuth(client, loyal.auth)

    expect((await client.get('/users')).status).toBe(200)
  })
})

describe('argument checks', () => {
  // Casts: these are the mistakes of callers without TypeScript, or with `any`.
  const mistakes: Array<[string, () => unknown, string]> = [
    ['createLoyalAxios({})', () => createLoyalAxios({} as never), '"auth"'],
    ['createLoyalAxios()', () => (createLoyalAxios as () => unknown)(), '"auth"'],
    ['attachLoyalAuth(null, auth)', () => attachLoyalAuth(null as never, loyal.auth), '"instance"'],
    ['attachLoyalAuth(instance, {})', () => attachLoyalAuth(axios.create(), {} as never), '"auth"'],
    [
      "{ retryOnUnauthorized: 'no' }",
      () => createLoyalAxios(loyal.auth, {}, { retryOnUnauthorized: 'no' as never }),
      '"retryOnUnauthorized"',
    ],
    [
      "attachLoyalAuth with { retryOnUnauthorized: 'no' }",
      () => attachLoyalAuth(axios.create(), loyal.auth, { retryOnUnauthorized: 'no' as never }),
      '"retryOnUnauthorized"',
    ],
    ['options null', () => createLoyalAxios(loyal.auth, {}, null as never), '"options"'],
    ['config null', () => createLoyalAxios(loyal.auth, null as never), '"config"'],
  ]

  it.each(mistakes)('%s throws a config error naming the argument', (_, run, name) => {
    const error = catchError(run)

    expect(isLoyalError(error)).toBe(true)
    expect(error).toMatchObject({ code: 'config', message: expect.stringContaining(name) })
  })

  it('checks before installing anything', () => {
    const instance = axios.create()

    catchError(() => attachLoyalAuth(instance, loyal.auth, { retryOnUnauthorized: 1 as never }))

    expect(attachLoyalAuth(instance, loyal.auth)).toBeTypeOf('function')
  })
})

function catchError(run: () => unknown): unknown {
  try {
    run()
  } catch (error) {
    return error
  }

  return undefined
}

describe('request interceptors of the caller', () => {
  it('never see the bearer, which is set after them, and the request still carries it', async () => {
    const { auth } = loyal
    const client = axios.create({ baseURL: auth.baseUrl })
    const logged: unknown[] = []
    // Registered before attaching, so axios runs it after our interceptor: a logger's place.
    client.interceptors.request.use((config) => {
      logged.push(config.headers.get('Authorization'))

      return config
    })
    attachLoyalAuth(client, auth)

    await client.get('/users')
    await client.get('/users')

    const token = await auth.getToken()
    expect(logged).toEqual([undefined, undefined])
    expect(apiRequestsTo('/users').map((request) => request.authorization)).toEqual([
      [`Bearer ${token.value}`],
      [`Bearer ${token.value}`],
    ])
  })
})
