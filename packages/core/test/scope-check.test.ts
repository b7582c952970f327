import { inspect } from 'node:util'
import { describe, expect, it } from 'vitest'
import { isLoyalError, type LoyalError } from '../src/loyal-error.js'
import { parseToken } from '../src/loyal-token.js'
import { assertScopes, checkScopes } from '../src/scope-check.js'
import { PUBLISHED_TOKEN } from './fixtures/published-token.js'
import { mintToken } from './helpers/mint-token.js'

const scoped = async () => parseToken(await mintToken({ scope: 'users:read rules:readwrite' }))

function thrown(action: () => void): LoyalError {
  try {
    action()
  } catch (error) {
    if (isLoyalError(error)) return error
    throw error
  }
  throw new Error('expected a LoyalError')
}

describe('checkScopes', () => {
  it('grants what the token holds, in any notation', async () => {
    const token = await scoped()

    expect(checkScopes(token, ['users:read', 'read:rules', 'Rules.Write'])).toEqual({
      status: 'granted',
    })
  })

  it('denies with the missing scopes', async () => {
    const token = await scoped()

    expect(checkScopes(token, ['users:read', 'users:write', 'Empower.Read'])).toEqual({
      status: 'denied',
      missing: ['users:write', 'Empower.Read'],
    })
  })

  it("grants in 'any' mode when one scope is held", async () => {
    const token = await scoped()

    expect(checkScopes(token, ['users:write', 'users:read'], 'any')).toEqual({ status: 'granted' })
    expect(checkScopes(token, ['users:write', 'empower:read'], 'any')).toEqual({
      status: 'denied',
      missing: ['users:write', 'empower:read'],
    })
  })

  it('answers unknown for a token without scope claim (the published example)', () => {
    expect(checkScopes(parseToken(PUBLISHED_TOKEN), ['users:write'])).toEqual({
      status: 'unknown',
    })
  })
})

describe('assertScopes', () => {
  it('throws insufficient_scope with the required scopes', async () => {
    const token = await scoped()
    const error = thrown(() => assertScopes(token, ['users:read', 'users:write']))

    expect(error.code).toBe('insufficient_scope')
    expect(error.httpStatus).toBe(403)
    expect(error.required).toEqual(['users:read', 'users:write'])
    expect(error.message).toContain('"users:write"')
    expect(error.message).not.toContain('"users:read"')
  })

  it('keeps the token out of the error', async () => {
    const token = await scoped()
    const error = thrown(() => assertScopes(token, ['empower:read']))
    const views = [error.message, error.stack, JSON.stringify(error), inspect(error)]

    for (const view of views) expect(view).not.toContain(token.value)
  })

  it('returns quietly when granted or unknown', async () => {
    const token = await scoped()

    expect(() => assertScopes(token, ['rules:rw'])).not.toThrow()
    expect(() => assertScopes(parseToken(PUBLISHED_TOKEN), ['rules:rw'])).not.toThrow()
  })
})
