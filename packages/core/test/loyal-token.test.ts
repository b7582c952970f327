import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { isLoyalError, LoyalError } from '../src/loyal-error.js'
import { LoyalToken, parseToken } from '../src/loyal-token.js'
import { PUBLISHED_TOKEN } from './fixtures/published-token.js'
import { mintToken } from './helpers/mint-token.js'

const HOUR = 60 * 60 * 1000
const FETCHED_AT = Date.UTC(2026, 0, 1)

function malformedError(input: unknown): LoyalError {
  try {
    parseToken(input as string)
  } catch (error) {
    if (isLoyalError(error)) return error
    throw error
  }
  throw new Error('expected parseToken to throw')
}

const b64 = (value: string) => Buffer.from(value).toString('base64url')

describe('parseToken: the published example token', () => {
  const token = parseToken(PUBLISHED_TOKEN)

  it('reads the client, role and issuer claims', () => {
    expect(token.roles).toEqual(['LoyalApiClientAccess'])
    expect(token.clientId).toBe('714df406-8802-479f-a96b-f4e362ebab70')
    expect(token.clientName).toBe('Piedmont Healtcare')
    expect(token.claims.iss).toBe('loyalhealth.com')
    expect(token.header.alg).toBe('HS256')
  })

  it('expired in 2018, from exp in seconds', () => {
    expect(token.expiresAt.toISOString()).toBe('2018-06-28T18:53:50.000Z')
    expect(token.expSource).toBe('seconds')
    expect(token.isExpired()).toBe(true)
    expect(token.isExpired(Date.UTC(2018, 5, 28, 18, 53, 49))).toBe(false)
    expect(token.isExpired(Date.UTC(2018, 5, 28, 18, 53, 50))).toBe(true)
  })

  it('carries no scope information, so checks answer undefined', () => {
    expect(token.hasScopeInfo).toBe(false)
    expect(token.scopes).toEqual([])
    expect(token.hasScope('users:read')).toBeUndefined()
    expect(token.can('read', 'users')).toBeUndefined()
    expect(token.missingScopes(['users:read'])).toBeUndefined()
  })

  it('keeps the JWT as value', () => {
    expect(token.value).toBe(PUBLISHED_TOKEN)
    expect(new LoyalToken(PUBLISHED_TOKEN).clientId).toBe(token.clientId)
  })
})

describe('parseToken: expiry', () => {
  it('reads an exp in milliseconds as milliseconds', async () => {
    const exp = FETCHED_AT + 2 * HOUR
    const token = parseToken(await mintToken({ exp }), { fetchedAt: FETCHED_AT })

    expect(token.expiresAt.getTime()).toBe(exp)
    expect(token.expSource).toBe('milliseconds')
    expect(token.isExpired(exp - 1)).toBe(false)
  })

  it('gives a token without exp 24 hours from fetchedAt', async () => {
    const token = parseToken(await mintToken({ ClientId: 'c' }), { fetchedAt: FETCHED_AT })

    expect(token.expiresAt.getTime()).toBe(FETCHED_AT + 24 * HOUR)
    expect(token.expSource).toBe('fallback')
  })

  it('defaults fetchedAt to now', async () => {
    const before = Date.now()
    const token = parseToken(await mintToken({}))

    expect(token.expiresAt.getTime()).toBeGreaterThanOrEqual(before + 24 * HOUR)
    expect(token.isExpired()).toBe(false)
  })

  it('falls back on a junk exp and accepts a numeric string', async () => {
    for (const exp of ['soon', -5, 0, null, 1e300]) {
      const token = parseToken(await mintToken({ exp }), { fetchedAt: FETCHED_AT })

      expect(token.expSource).toBe('fallback')
    }

    const fromString = parseToken(await mintToken({ exp: '1530212030' }))

    expect(fromString.expiresAt.getTime()).toBe(1530212030 * 1000)
  })
})

describe('parseToken: claims', () => {
  it('collects roles from role, roles and both Microsoft role URIs', async () => {
    const jwt = await mintToken({
      role: 'a',
      Roles: ['b', 7, 'a'],
      'http://schemas.microsoft.com/ws/2008/06/identity/claims/role': ['c'],
      'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/role': 'd',
    })

    expect(parseToken(jwt).roles).toEqual(['a', 'b', 'c', 'd'])
  })

  it('freezes claims, roles and scopes', async () => {
    const token = parseToken(await mintToken({ scope: 'users:read', nested: { a: [1] } }))

    expect(Object.isFrozen(token.claims)).toBe(true)
    expect(Object.isFrozen(token.claims.nested)).toBe(true)
    expect(Object.isFrozen(token.roles)).toBe(true)
    expect(Object.isFrozen(token.scopes)).toBe(true)
  })

  it('trims white space around the JWT', async () => {
    const jwt = await mintToken({ ClientId: 'c' })

    expect(parseToken(`  ${jwt}\n`).value).toBe(jwt)
  })
})

describe('parseToken: malformed input', () => {
  const header = b64('{"alg":"HS256"}')
  const inputs: Record<string, unknown> = {
    'an empty string': '',
    'white space': '   ',
    'not a JWT': 'not-a-jwt-secret-looking-value',
    'two parts': `${header}.${b64('{"a":1}')}`,
    'a JWE (five parts)': `${header}.a.b.c.d`,
    'bad base64 in the payload': `${header}.%%%secret%%%.sig`,
    'a payload that is not JSON': `${header}.${b64('secret-not-json')}.sig`,
    'a payload that is an array': `${header}.${b64('["secret"]')}.sig`,
    'a payload that is a string': `${header}.${b64('"secret"')}.sig`,
    'a payload that is null': `${header}.${b64('null')}.sig`,
    'a header that is not JSON': `${b64('secret-header')}.${b64('{"a":1}')}.sig`,
    'an empty payload': `${header}..sig`,
    undefined: undefined,
    'a number': 42,
  }

  for (const [name, input] of Object.entries(inputs)) {
    it(`rejects ${name} as malformed_token without echoing it`, () => {
      const error = malformedError(input)

      expect(error).toBeInstanceOf(LoyalError)
      expect(error.code).toBe('malformed_token')
      expect(error.cause).toBeUndefined()

      if (typeof input === 'string' && input.trim() !== '') {
        for (const view of [error.message, error.stack, JSON.stringify(error), inspect(error)]) {
          expect(view).not.toContain(input)
          expect(view).not.toContain('secret')
        }
      }
    })
  }
})

describe('parseToken: only base64url inside the JWT', () => {
  const [header, payload, signature] = [
    b64('{"alg":"HS256"}'),
    b64('{"ClientId":"secret-client","exp":2000000000}'),
    b64('secret-signature'),
  ]
  const jwt = `${header}.${payload}.${signature}`
  const spliced = (part: string, inside: string) => `${part.slice(0, 6)}${inside}${part.slice(6)}`
  // Each of these decodes with jose, whose base64 reader skips what it does not know; as a
  // bearer, `Headers` would refuse it with an error quoting the token.
  const inputs: Record<string, string> = {
    'a space inside the payload': `${header}.${spliced(payload, ' ')}.${signature}`,
    'a line break inside the signature': `${header}.${payload}.${spliced(signature, '\n')}`,
    'a tab before a dot': `${header}\t.${payload}.${signature}`,
    'base64 `+` and `/` in the signature': `${header}.${payload}.${signature}+/`,
    'base64 padding': `${header}.${payload}=.${signature}`,
    'a non-ASCII letter': `${header}.${payload}.${signature}é`,
    'a percent sign': `${header}.${payload}.${signature}%`,
  }

  it('accepts the same JWT without them', () => {
    expect(parseToken(jwt).clientId).toBe('secret-client')
  })

  for (const [name, input] of Object.entries(inputs)) {
    it(`rejects ${name} as malformed_token without echoing it`, () => {
      const error = malformedError(input)

      expect(error.code).toBe('malformed_token')
      expect(error.message).toBe('Malformed token: it is not a compact base64url JWT')
      for (const view of [error.message, error.stack, JSON.stringify(error), inspect(error)]) {
        expect(view).not.toContain('secret')
        expect(view).not.toContain(signature)
      }
    })
  }
})

describe('LoyalToken: C16, the value never shows', () => {
  it('hides the value from every serialisation', async () => {
    const token = parseToken(await mintToken({ scope: 'users:read', ClientId: 'client-1' }))
    const views = [
      JSON.stringify(token),
      JSON.stringify({ nested: { token } }),
      JSON.stringify(token.toJSON()),
      inspect(token),
      inspect({ nested: { token } }, { depth: 5 }),
      inspect(token, { showHidden: true }),
      inspect(token, { customInspect: false, showHidden: true }),
      String(token),
      `${token}`,
      `Bearer token: ${token}`,
      Object.keys(token).join(','),
      JSON.stringify(Object.entries(token)),
    ]

    for (const view of views) expect(view).not.toContain(token.value)
    expect(Object.keys(token)).not.toContain('value')
    expect(inspect(token)).toContain('client-1')
    expect(String(token)).toContain('client-1')
  })

  it('keeps the value out of errors built around a token', async () => {
    const token = parseToken(await mintToken({ ClientId: 'client-1' }))
    const errors = [
      new Error(`refresh failed for ${token}`),
      new LoyalError('unauthorized', `rejected ${token}`, { cause: { token } }),
    ]

    for (const error of errors) {
      for (const view of [
        error.message,
        error.stack ?? '',
        JSON.stringify(error),
        inspect(error),
      ]) {
        expect(view).not.toContain(token.value)
      }
    }
  })

  it('summarises client, roles, scopes and expiry in toJSON', () => {
    expect(parseToken(PUBLISHED_TOKEN).toJSON()).toEqual({
      clientId: '714df406-8802-479f-a96b-f4e362ebab70',
      clientName: 'Piedmont Healtcare',
      roles: ['LoyalApiClientAccess'],
      scopes: [],
      hasScopeInfo: false,
      expiresAt: '2018-06-28T18:53:50.000Z',
      expSource: 'seconds',
    })
  })
})
