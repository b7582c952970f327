import { decodeJwt } from 'jose'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import {
  type LoyalApi,
  MS_SCOPE_CLAIM,
  SCOPE_ENCODINGS,
  type ScopeEncoding,
  startLoyalApi,
} from '../src/index.js'
import { callApi, fetchToken } from './support.js'

let api: LoyalApi

beforeAll(async () => {
  api = await startLoyalApi()
})

afterEach(() => api.reset())

afterAll(() => api.close())

const SCOPES = ['users:read', 'rules:read', 'rules:write']

const CLAIMS: Record<ScopeEncoding, Record<string, unknown>> = {
  space: { scopes: 'users:read rules:read rules:write' },
  array: { scopes: ['users:read', 'rules:read', 'rules:write'] },
  comma: { scopes: 'users:read,rules:read,rules:write' },
  scope: { scope: 'users:read rules:read rules:write' },
  scp: { scp: 'users:read rules:read rules:write' },
  map: { scopes: { users: { actions: ['read'] }, rules: { actions: ['read', 'write'] } } },
  dotted: { scopes: 'Users.Read Rules.ReadWrite' },
  'ms-uri': { [MS_SCOPE_CLAIM]: 'users:read rules:read rules:write' },
  none: {},
}

const SCOPE_CLAIM_NAMES = ['scope', 'scp', 'scopes', MS_SCOPE_CLAIM]

function scopeClaimsOf(token: string): Record<string, unknown> {
  const claims = decodeJwt(token)

  return Object.fromEntries(SCOPE_CLAIM_NAMES.filter((n) => n in claims).map((n) => [n, claims[n]]))
}

describe.each(SCOPE_ENCODINGS)('scope encoding %s', (encoding) => {
  it('writes the scopes in its own shape', async () => {
    const client = api.addClient({ apiKey: `key-shape-${encoding}`, scopes: SCOPES })

    api.configure({ scopeEncoding: encoding })

    expect(scopeClaimsOf(await fetchToken(api, client.apiKey))).toEqual(CLAIMS[encoding])
  })

  it('is understood by the server: read users, read and write rules, nothing else', async () => {
    const client = api.addClient({ apiKey: `key-check-${encoding}`, scopes: SCOPES })

    api.configure({ scopeEncoding: encoding })

    const token = await fetchToken(api, client.apiKey)
    const post = { method: 'POST', body: JSON.stringify({ name: 'r' }) }

    expect((await callApi(api, '/users/1', token)).status).toBe(200)
    expect((await callApi(api, '/rules', token, post)).status).toBe(201)
    expect((await callApi(api, '/empower/rollups/1', token)).body).toEqual({
      message: 'Insufficient scope: "empower:read" is required',
      required: 'empower:read',
    })
  })
})

describe('scope enforcement', () => {
  it('answers 403 naming the one scope a write needs', async () => {
    const token = await api.issueToken({ scopes: ['users:read', 'rules:read'] })
    const response = await callApi(api, '/rules/1', token, { method: 'DELETE' })

    expect(response.status).toBe(403)
    expect(response.body).toMatchObject({ required: 'rules:write' })
    expect(response.headers.get('www-authenticate')).toContain('insufficient_scope')
    expect(api.counters.forbidden).toBe(1)
  })

  it('gives the default client read on everything and write on rules', async () => {
    const token = await fetchToken(api)
    const write = { method: 'PUT', body: JSON.stringify({ name: 'renamed' }) }

    expect((await callApi(api, '/empower/v2/rollups', token)).status).toBe(200)
    expect((await callApi(api, '/users', token)).status).toBe(200)
    expect((await callApi(api, '/rules/2', token, write)).status).toBe(200)
  })

  it('judges a token without scope claim by the scopes its client has on file', async () => {
    const client = api.addClient({
      apiKey: 'key-no-claim',
      scopes: ['users:read'],
      scopeEncoding: 'none',
    })
    const token = await fetchToken(api, client.apiKey)

    expect((await callApi(api, '/users', token)).status).toBe(200)
    expect((await callApi(api, '/rules', token)).status).toBe(403)
  })

  it('lets a token without scope claim of an unknown client through', async () => {
    const token = await api.issueToken({ clientId: 'unknown-client', scopeEncoding: 'none' })

    expect((await callApi(api, '/rules', token)).status).toBe(200)
  })

  it('does not check scopes when enforceScopes is off', async () => {
    api.configure({ enforceScopes: false })

    const token = await api.issueToken({ scopes: [] })

    expect((await callApi(api, '/rules', token)).status).toBe(200)
  })

  it.each([
    ['junk entries ignored', { scopes: ['users:read', 5, null] }, 200, 403],
    ['action:resource', { scope: 'read:users' }, 200, 403],
    ['a wildcard resource', { scp: ['*:read'] }, 200, 200],
    ['a bare resource', { scopes: 'users' }, 200, 403],
    ['a map of arrays', { scopes: { users: ['read'] } }, 200, 403],
    ['rw', { permissions: ['users:rw'] }, 200, 403],
    ['an empty string', { scopes: '' }, 403, 403],
  ])('understands %s', async (_, claims, usersStatus, rulesStatus) => {
    const token = await api.issueToken({ scopeEncoding: 'none', claims })

    expect((await callApi(api, '/users', token)).status).toBe(usersStatus)
    expect((await callApi(api, '/rules', token)).status).toBe(rulesStatus)
  })
})
