import { describe, expect, it } from 'vitest'
import { checkAuthOption, checkedScopes, isLoyalError, withConfigErrors } from '../src/index.js'

function thrown(run: () => unknown): unknown {
  try {
    run()
  } catch (error) {
    return error
  }

  return undefined
}

describe('adapter setup checks', () => {
  it('refuses a scope holding a space, an empty scope and an empty list as config errors', () => {
    for (const scopes of [['empower:read users:read'], [' '], []]) {
      const error = thrown(() => checkedScopes('requireScopes', scopes))

      expect(isLoyalError(error) && error.code).toBe('config')
    }

    expect(checkedScopes('requireScopes', [' rules:write '])).toEqual(['rules:write'])
  })

  it('names what a tenant function receives in the framework', () => {
    const error = thrown(() => checkAuthOption('loyal', { auth: 42 }, 'context'))

    expect((error as Error).message).toContain('function of the context')
    expect(isLoyalError(thrown(() => checkAuthOption('loyal', undefined)))).toBe(true)
  })

  it("turns core's TypeErrors into config errors naming the factory", () => {
    const error = thrown(() =>
      withConfigErrors('loyalProxy', () => {
        throw new TypeError('"allow" must be a list')
      })
    )

    expect(isLoyalError(error) && error.message).toBe('loyalProxy(): "allow" must be a list')
  })
})
