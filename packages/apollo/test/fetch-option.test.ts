import { LoyalAuth } from '@loyal-auth/core'
import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'
import nodeFetch from 'node-fetch'
import nodeFetchV2 from 'node-fetch-v2'
import { fetch as undiciFetch } from 'undici'
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, it } from 'vitest'
import type { Fetcher, LoyalDataSourceOptions, LoyalFetchInit } from '../src/index.js'
import { EmpowerAPI } from './support/empower-api.js'

type FetchOption = NonNullable<LoyalDataSourceOptions['fetch']>

// The type checks are made by `tsc` (the package's typecheck covers the tests); running them
// shows that what type-checks also works against the API.
describe('the fetch option', () => {
  let api: LoyalApi
  let auth: LoyalAuth

  beforeAll(async () => {
    api = await startLoyalApi()
    auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url })
  })

  afterEach(() => api.reset())

  afterAll(async () => {
    await auth.close()
    await api.close()
  })

  async function sentWith(fetch: FetchOption): Promise<number> {
    const rollup = await new EmpowerAPI({ auth, fetch }).rollup(4)
    const [call] = api.requests.filter((one) => one.path === '/empower/rollups/4')

    expect(call?.authorization).toHaveLength(1)

    return rollup.id
  }

  it('gives an inline wrapper typed parameters', async () => {
    const seen: string[] = []
    const empower = new EmpowerAPI({
      auth,
      fetch: (url, init) => {
        expectTypeOf(url).toEqualTypeOf<string>()
        expectTypeOf(init).toEqualTypeOf<LoyalFetchInit | undefined>()
        seen.push(`${init?.method} ${url}`)

        return fetch(url, init)
      },
    })

    expect((await empower.rollup(4)).id).toBe(4)
    expect(seen).toEqual([`GET ${api.url}/empower/rollups/4`])
  })

  it('takes globalThis.fetch, undici and node-fetch 2 and 3 as they are', async () => {
    expectTypeOf(globalThis.fetch).toExtend<FetchOption>()
    expectTypeOf(undiciFetch).toExtend<FetchOption>()
    expectTypeOf(nodeFetch).toExtend<FetchOption>()
    expectTypeOf(nodeFetchV2).toExtend<FetchOption>()

    expect(await sentWith(globalThis.fetch)).toBe(4)
    expect(await sentWith(undiciFetch)).toBe(4)
    expect(await sentWith(nodeFetch)).toBe(4)
    expect(await sentWith(nodeFetchV2)).toBe(4)
  })

  it('lets an inline wrapper hand its arguments to any of them', async () => {
    expect(await sentWith((url, init) => globalThis.fetch(url, init))).toBe(4)
    expect(await sentWith((url, init) => undiciFetch(url, init))).toBe(4)
    expect(await sentWith((url, init) => nodeFetch(url, init))).toBe(4)
    expect(await sentWith((url, init) => nodeFetchV2(url, init))).toBe(4)
  })

  it('still takes what the option took before: RequestInit wrappers and Fetchers', async () => {
    const logged = (url: string, init?: RequestInit) => globalThis.fetch(url, init)

    expectTypeOf<Fetcher>().toExtend<FetchOption>()
    expect(await sentWith(logged)).toBe(4)
  })
})
