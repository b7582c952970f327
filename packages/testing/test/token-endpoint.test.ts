import { decodeJwt, decodeProtectedHeader } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  DEFAULT_CLIENT_ID,
  type LoyalApi,
  NAME_CLAIM,
  ROLE_CLAIM,
  startLoyalApi,
} from '../src/index.js'
import { fetchToken, requestToken } from './support.js'

let api: LoyalApi

beforeAll(async () => {
  api = await startLoyalApi()
})

afterEach(() => api.reset())

afterAll(() => api.close())

describe('POST /auth/client/token', () => {
  it('issues an HS256 JWT shaped like the published example', async () => {
    const response = await requestToken(api)
    const body = (await response.json()) as { authenticated: boolean; token: string }
    const claims = decodeJwt(body.token)

    expect(response.status).toBe(200)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(body.authenticated).toBe(true)
    expect(decodeProtectedHeader(body.token)).toEqual({ alg: 'HS256', typ: 'JWT' })
    expect(claims[ROLE_CLAIM]).toBe('LoyalApiClientAccess')
    expect(claims[NAME_CLAIM]).toBe('Piedmont Healthcare')
    expect(claims.ClientId).toBe(DEFAULT_CLIENT_ID)
    expect(claims.iss).toBe('loyalhealth.com')
    expect(claims.aud).toBe('loyalhealth.com')
    expect(claims).not.toHaveProperty('iat')
    expect(claims).not.toHaveProperty('sub')
  })

  it('sets exp 24 hours ahead, in seconds, by default', async () => {
    const exp = decodeJwt(await fetchToken(api)).exp ?? 0
    const inADay = Date.now() / 1000 + 86_400

    expect(exp).toBeGreaterThan(inADay - 5)
    expect(exp).toBeLessThanOrEqual(inADay)
  })

  it('issues a different token each time, even within one second', async () => {
    const first = await fetchToken(api)
    const second = await fetchToken(api)

    expect(first).not.toBe(second)
    expect(api.counters.tokenRequests).toBe(2)
    expect(api.counters.tokensIssued).toBe(2)
  })

  it('accepts the ApiKey scheme in any case', async () => {
    const response = await fetch(api.tokenUrl, {
      method: 'POST',
      headers: { Authorization: `apikey ${api.apiKey}` },
    })

    expect(response.status).toBe(200)
  })

  it('answers 401 to a missing or unknown key, by default', async () => {
    const missing = await requestToken(api, null)
    const unknown = await requestToken(api, 'loyal_test_unknown')

    expect(missing.status).toBe(401)
    expect(unknown.status).toBe(401)
    expect(await unknown.json()).toEqual({ message: 'Invalid API key' })
    expect(api.counters.tokenRequests).toBe(2)
    expect(api.counters.tokensIssued).toBe(0)
  })

  it.each([400, 403] as const)('answers %i to a bad key when configured so', async (status) => {
    api.configure({ invalidKeyStatus: status })

    expect((await requestToken(api, 'wrong')).status).toBe(status)
  })

  it('answers 200 with authenticated false to a bad key when configured so', async () => {
    api.configure({ invalidKeyStatus: 200 })

    const response = await requestToken(api, 'wrong')

    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ authenticated: false, token: null })
  })

  it('answers in PascalCase like .NET when configured so', async () => {
    api.configure({ responseCase: 'pascal' })

    const body = (await (await requestToken(api)).json()) as Record<string, unknown>

    expect(Object.keys(body)).toEqual(['Authenticated', 'Token'])
    expect(body.Authenticated).toBe(true)
    expect(typeof body.Token).toBe('string')
  })

  it('answers 405 to a GET', async () => {
    const response = await fetch(api.tokenUrl, {
      headers: { Authorization: `ApiKey ${api.apiKey}` },
    })

    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('POST')
  })

  it('refuses a key once its client is removed', async () => {
    const key = 'loyal_test_removed'

    api.addClient({ apiKey: key })
    expect((await requestToken(api, key)).status).toBe(200)

    api.removeClient(key)
    expect((await requestToken(api, key)).status).toBe(401)
  })
})

describe('tokenPath', () => {
  it('moves the token endpoint', async () => {
    const moved = await startLoyalApi({ tokenPath: '/v2/token' })
    const response = await fetch(`${moved.url}/v2/token`, {
      method: 'POST',
      headers: { Authorization: `ApiKey ${moved.apiKey}` },
    })

    expect(response.status).toBe(200)
    expect(moved.tokenUrl).toBe(`${moved.url}/v2/token`)
    expect(moved.counters.tokenRequests).toBe(1)
    await moved.close()
    await expect(startLoyalApi({ tokenPath: 'token' })).rejects.toThrow('"tokenPath"')
  })
})

describe('tokens', () => {
  it('follows tokenDuration', async () => {
    api.configure({ tokenDuration: 5_000 })

    const exp = decodeJwt(await fetchToken(api)).exp ?? 0

    expect(exp).toBeLessThanOrEqual(Math.floor((Date.now() + 5_000) / 1000))
    expect(exp).toBeGreaterThan(Date.now() / 1000)
  })

  it('leaves exp out when expFormat is none', async () => {
    api.configure({ expFormat: 'none' })

    expect(decodeJwt(await fetchToken(api))).not.toHaveProperty('exp')
  })

  it('writes exp in milliseconds when expFormat is milliseconds', async () => {
    api.configure({ expFormat: 'milliseconds' })

    const exp = decodeJwt(await fetchToken(api)).exp ?? 0

    expect(exp).toBeGreaterThan(Date.now() + 86_400_000 - 5_000)
  })

  it('carries each client its own identity', async () => {
    const client = api.addClient({
      apiKey: 'loyal_test_tenant_b',
      clientName: 'Tenant B',
      roles: ['LoyalApiClientAccess', 'Auditor'],
    })
    const claims = decodeJwt(await fetchToken(api, client.apiKey))

    expect(claims.ClientId).toBe(client.clientId)
    expect(claims.ClientId).not.toBe(api.client.clientId)
    expect(claims[NAME_CLAIM]).toBe('Tenant B')
    expect(claims[ROLE_CLAIM]).toEqual(['LoyalApiClientAccess', 'Auditor'])
  })

  it('mints tokens directly with overrides', async () => {
    const expiresAt = Date.now() + 60_000
    const token = await api.issueToken({
      expiresAt,
      claims: { scopes: ['a', 5, null], iss: undefined },
    })
    const claims = decodeJwt(token)

    expect(claims.scopes).toEqual(['a', 5, null])
    expect(claims).not.toHaveProperty('iss')
    expect(claims.exp).toBe(Math.floor(expiresAt / 1000))
    expect(api.counters.tokenRequests).toBe(0)
  })

  it('verifies its own tokens and rejects others', async () => {
    const token = await fetchToken(api)
    const foreign = await api.issueToken({ secret: 'another secret of 32 bytes or so!' })

    expect(await api.verifyToken(token)).toMatchObject({ ClientId: DEFAULT_CLIENT_ID })
    expect(await api.verifyToken(foreign)).toBeUndefined()
    expect(await api.verifyToken('not-a-jwt')).toBeUndefined()
  })
})

describe('settings', () => {
  it('refuses invalid settings, naming the option', async () => {
    expect(() => api.configure({ tokenDuration: Number.NaN })).toThrow('"tokenDuration"')
    expect(() => api.configure({ scopeEncoding: 'yaml' as never })).toThrow('"scopeEncoding"')
    await expect(startLoyalApi({ clockOffset: Infinity })).rejects.toThrow('"clockOffset"')
  })

  it('restores the start settings on reset', () => {
    api.configure({ scopeEncoding: 'map', tokenDuration: 1_000 })
    api.reset()

    expect(api.settings.scopeEncoding).toBe('space')
    expect(api.settings.tokenDuration).toBe(86_400_000)
  })
})
