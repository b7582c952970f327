import { type LoyalAuth, LoyalError } from '@loyal-auth/core'
import axios, { type AxiosInstance, type CreateAxiosDefaults } from 'axios'
import { attachLoyalAuth, checkArguments, type LoyalAxiosOptions } from './attach-loyal-auth.js'

/**
 * A new axios instance for the Loyal API: `baseURL` is `auth.baseUrl` (unless `config` names
 * another) and {@link attachLoyalAuth} is applied.
 *
 * @example
 * const auth = new LoyalAuth({ apiKey: process.env.LOYAL_API_KEY! })
 * const loyal = createLoyalAxios(auth, { timeout: 10_000 })
 * const { data: rollups } = await loyal.get('/empower/rollups', { params: { limit: 10 } })
 * @throws LoyalError `config` when an argument is not what it should be.
 */
export function createLoyalAxios(
  auth: LoyalAuth,
  config: CreateAxiosDefaults = {},
  options?: LoyalAxiosOptions
): AxiosInstance {
  checkArguments('createLoyalAxios', auth, options)

  if (typeof config !== 'object' || config === null) {
    throw new LoyalError('config', 'createLoyalAxios(): "config" must be an axios config object')
  }

  const instance = axios.create({ ...config, baseURL: config.baseURL ?? auth.baseUrl })

  attachLoyalAuth(instance, auth, options)

  return instance
}
