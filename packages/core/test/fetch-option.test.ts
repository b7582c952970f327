import nodeFetch from 'node-fetch'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { LoyalAuth, type LoyalAuthOptions, type LoyalFetchInit } from '../src/index.js'
import { startApi } from './loyal-auth/support.js'

type FetchOption = NonNullable<LoyalAuthOptions['fetch']>

describe('the fetch option', () => {
  it('takes the global fetch, node-fetch and inline wrappers, typed', () => {
    expectTypeOf(globalThis.fetch).toExtend<FetchOption>()
    expectTypeOf(nodeFetch).toExtend<FetchOption>()

    const wrapper: FetchOption = (url, init) => {
      expectTypeOf(url).toEqualTypeOf<string>()
      expectTypeOf(init).toEqualTypeOf<LoyalFetchInit | undefined>()

      return fetch(url, init)
    }
    expectTypeOf(wrapper).toExtend<FetchOption>()
  })

  it('is called with the URL as a string, for the token and for auth.fetch', async () => {
    const api = await startApi()
    const seen: unknown[] = []
    const auth = new LoyalAuth({
      apiKey: api.apiKey,
      baseUrl: api.url,
      fetch: (url, init) => {
        seen.push(url)

        return nodeFetch(url, init)
      },
    })

    try {
      expect((await auth.fetch('/users')).status).toBe(200)
      expect(seen).toEqual([`${api.url}/auth/client/token`, `${api.url}/users`])
    } finally {
      await auth.close()
    }
  })
})
