import { decodeJwt } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  DEFAULT_CLIENT_ID,
  type LoyalApi,
  NAME_CLAIM,
  ROLE_CLAIM,
  startLoyalApi,
} from '../src/index.js'

let api: LoyalApi

beforeAll(async () => {
  api = await startLoyalApi()
})

afterEach(() => api.reset())

afterAll(() => api.close())

function requestToken(key: string | null = api.apiKey, init: RequestInit = {}) {
  const headers: Record<string, string> = key === null ? {} : { Authorization: `ApiKey ${key}` }

  return fetch(api.tokenUrl, { method: 'POST', headers, ...init })
}

describe('POST /auth/client/token', () => {
  it('issues a JWT shaped like the published example', async () => {
    const response = await requestToken()
    const body = (await response.json()) as { authenticated: boolean; token: string }
    const claims = decodeJwt(body.token)

    expect(response.status).toBe(200)
    expect(body.authenticated).toBe(true)
    expect(claims[ROLE_CLAIM]).toBe('LoyalApiClientAccess')
    expect(claims[NAME_CLAIM]).toBe('Piedmont Healthcare')
    expect(claims.ClientId).toBe(DEFAULT_CLIENT_ID)
    expect(claims.iss).toBe('loyalhealth.com')
    expect(claims.aud).toBe('loyalhealth.com')
    expect(claims).not.toHaveProperty('iat')
    expect(claims).not.toHaveProperty('sub')
  })

  it('sets exp 24 hours ahead in seconds by default', async () => {
    const body = (await (await requestToken()).json()) as { token: string }
    const exp = decodeJwt(body.token).exp ?? 0

    expect(exp).toBeGreaterThan(Date.now() / 1000 + 86_400 - 5)
    expect(exp).toBeLessThanOrEqual(Date.now() / 1000 + 86_400)
  })

  it('issues a different token each time, even within one second', async () => {
    const first = (await (await requestToken()).json()) as { token: string }
    const second = (await (await requestToken()).json()) as { token: string }

    expect(first.token).not.toBe(second.token)
    expect(api.counters.tokenRequests).toBe(2)
    expect(api.counters.tokensIssued).toBe(2)
  })

  it('answers 401 to a missing or unknown key', async () => {
    expect((await requestToken(null)).status).toBe(401)
    expect((await requestToken('nope')).status).toBe(401)
    expect(api.counters.tokensIssued).toBe(0)
  })
})
