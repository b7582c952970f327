// Compiled as .mts and .cts (node16) and .ts (bundler) against the installed package.
import { startLoyalApi } from '@loyal-auth/testing'

export async function use(): Promise<number> {
  const api = await startLoyalApi()
  const url: string = api.url
  const key: string = api.apiKey

  await api.close()

  return url.length + key.length + api.counters.tokenRequests
}
