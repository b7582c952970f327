import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createLoyalContext, LoyalAuth } from '../src/index.js'

let api: LoyalApi
const opened: LoyalAuth[] = []

function newAuth(): LoyalAuth {
  const auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url })
  opened.push(auth)

  return auth
}

beforeAll(async () => {
  api = await startLoyalApi()
})

afterAll(async () => {
  await Promise.all(opened.map((auth) => auth.close()))
  await api.close()
})

describe('createLoyalContext', () => {
  it('hands every request served with one token the same frozen context', async () => {
    const auth = newAuth()
    const token = await auth.getToken()
    const first = createLoyalContext(auth, token)

    expect(createLoyalContext(auth, token)).toBe(first)
    expect(Object.isFrozen(first)).toBe(true)
    expect(() => {
      ;(first as { token: unknown }).token = undefined
    }).toThrow(TypeError)
    expect(first.token).toBe(token)
  })

  it('makes a new context for a new token, and never lends one to another auth', async () => {
    const auth = newAuth()
    const other = newAuth()
    const token = await auth.getToken()
    const first = createLoyalContext(auth, token)
    const renewed = await auth.getToken({ forceRefresh: true })

    expect(createLoyalContext(auth, renewed)).not.toBe(first)
    expect(createLoyalContext(auth, renewed).token).toBe(renewed)
    expect(createLoyalContext(other, token).auth).toBe(other)
    expect(createLoyalContext(auth, token).auth).toBe(auth)
  })
})
