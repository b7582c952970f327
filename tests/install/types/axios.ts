// Compiled as .mts and .cts (node16) and .ts (bundler) against the installed package.

import { attachLoyalAuth, createLoyalAxios } from '@loyal-auth/axios'
import { LoyalAuth } from '@loyal-auth/core'
import axios, { type AxiosInstance } from 'axios'

const auth = new LoyalAuth({ apiKey: 'key' })
const ready: AxiosInstance = createLoyalAxios(auth, { timeout: 1000 })
const detach: () => void = attachLoyalAuth(axios.create(), auth)

export async function use(): Promise<unknown> {
  detach()

  return (await ready.get<unknown[]>('/users')).data
}
