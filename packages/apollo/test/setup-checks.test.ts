import { isLoyalError, LoyalAuth } from '@loyal-auth/core'
import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'
import type { GraphQLError } from 'graphql'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { EmpowerAPI } from './support/empower-api.js'

let api: LoyalApi
let auth: LoyalAuth

beforeAll(async () => {
  api = await startLoyalApi()
})

afterEach(async () => {
  await auth?.close()
  api.reset()
})

afterAll(() => api.close())

function catchError(run: () => unknown): unknown {
  try {
    run()
  } catch (error) {
    return error
  }

  return undefined
}

describe('LoyalDataSource setup', () => {
  it.each([
    ['no options', undefined, 'options object'],
    ['no auth', {}, '"auth"'],
    ['an auth that is no LoyalAuth', { auth: { apiKey: 'k' } }, '"auth"'],
    ['a fetch that is no function', { fetch: 42 }, '"fetch"'],
    ['a cache that is no KeyValueCache', { cache: 1 }, '"cache"'],
  ])('throws a config error for %s, naming the option', (name, options, named) => {
    auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url })
    const withAuth =
      name.startsWith('a fetch') || name.startsWith('a cache') ? { auth, ...options } : options
    const error = catchError(() => new EmpowerAPI(withAuth as never))

    expect(isLoyalError(error)).toBe(true)
    expect(error).toMatchObject({ code: 'config', message: expect.stringContaining(named) })
    expect(String((error as Error).stack)).not.toContain(api.apiKey)
  })

  it('throws a config error for forAuth() without a LoyalAuth', () => {
    auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url })
    const error = catchError(() => new EmpowerAPI({ auth }).forAuth({} as never))

    expect(error).toMatchObject({ code: 'config', message: expect.stringContaining('forAuth') })
  })
})

describe('requireScopes()', () => {
  async function refusal(...scopes: string[]): Promise<GraphQLError> {
    auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url })

    return new EmpowerAPI({ auth }).requireScopes(...scopes).then(
      () => expect.unreachable('requireScopes should have refused'),
      (error: GraphQLError) => error
    )
  }

  it('refuses two scopes in one argument with LOYAL_CONFIG, saying to pass them apart', async () => {
    const error = await refusal('empower:read users:read')

    expect(error.extensions.code).toBe('LOYAL_CONFIG')
    expect(error.message).toContain('pass scopes as separate arguments')
    expect(api.counters.tokenRequests).toBe(0)
  })

  it.each([[[]], [['']], [['  ']]])('refuses the scopes %j with LOYAL_CONFIG', async (scopes) => {
    expect((await refusal(...scopes)).extensions.code).toBe('LOYAL_CONFIG')
  })

  it('trims whitespace around a scope and checks it against the real token', async () => {
    auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url })
    const empower = new EmpowerAPI({ auth })

    await expect(empower.requireScopes(' empower:read ', 'users:read\n')).resolves.toBeUndefined()
    await expect(empower.requireScopes(' empower:write ')).rejects.toMatchObject({
      extensions: { code: 'FORBIDDEN', required: ['empower:write'] },
    })
  })
})
