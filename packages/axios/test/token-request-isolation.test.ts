import axios from 'axios'
import { afterEach, describe, expect, it } from 'vitest'
import { attachLoyalAuth, isLoyalError } from '../src/index.js'
import { type LoyalSetup, setup } from './helpers/loyal-setup.js'

// C04: the token request never goes through the interceptors of the instance we attach to.
let loyal: LoyalSetup

afterEach(async () => {
  await loyal.close()
})

describe('the token request', () => {
  it('bypasses the user’s interceptors: a bad key fails promptly with one token request', async () => {
    loyal = await setup({}, { apiKey: 'loyal_test_not_a_real_key' })
    const client = axios.create({ baseURL: loyal.api.url })
    const seenByUser: string[] = []
    // A user's own interceptors, including an async one and one that retries on any error
    // through the same instance: a token request passing here would loop or hang.
    client.interceptors.request.use(async (config) => {
      seenByUser.push(config.url ?? '')

      return config
    })
    client.interceptors.response.use(null, (error: unknown) => {
      if (axios.isAxiosError(error) && error.config && !error.config.headers['x-retried']) {
        error.config.headers['x-retried'] = '1'

        return client.request(error.config)
      }

      throw error
    })
    attachLoyalAuth(client, loyal.auth)

    const error = await client.get('/users').catch((caught: unknown) => caught)

    expect(isLoyalError(error) && error.code).toBe('invalid_api_key')
    expect(loyal.api.counters.tokenRequests).toBe(1)
    expect(loyal.api.counters.apiRequests).toBe(0)
    expect(seenByUser).toEqual(['/users'])
  }, 5_000)

  it('is made with the key, never a bearer, and only to the token path', async () => {
    loyal = await setup()
    const client = axios.create({ baseURL: loyal.api.url })
    attachLoyalAuth(client, loyal.auth)

    await client.get('/users')

    const [tokenRequest, apiRequest] = loyal.api.requests
    expect(tokenRequest?.path).toBe('/auth/client/token')
    expect(tokenRequest?.authorization).toEqual([`ApiKey ${loyal.api.apiKey}`])
    expect(apiRequest?.authorization[0]).toMatch(/^Bearer /)
  })
})
