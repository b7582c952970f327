/**
 * Heap after 100,000 requests through the axios interceptor against heap after 1,000, with a
 * canned adapter (no network), next to the same axios without loyal-auth. Run with
 * --expose-gc. Sends { control, loyal } growth in bytes.
 */
import { createLoyalAxios } from '@loyal-auth/axios'
import { LoyalAuth } from '@loyal-auth/core'
import { startLoyalApi } from '@loyal-auth/testing'
import axios, { type AxiosAdapter, type AxiosInstance } from 'axios'
import { sendResult } from '../child.js'

const small = Number(process.env.SMALL ?? 1_000)
const large = Number(process.env.LARGE ?? 100_000)
// The reference (axios without loyal-auth) runs fewer requests: it only shows what noise and
// axios' own warm-up look like, and the whole run has a five-minute budget.
const controlLarge = Number(process.env.CONTROL_LARGE ?? 25_000)
const concurrency = 100

const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error('run with --expose-gc')

const body = { id: 1, name: 'Piedmont rollup', total: 42 }
const adapter: AxiosAdapter = async (config) => ({
  data: body,
  status: 200,
  statusText: 'OK',
  headers: {},
  config,
  request: {},
})

async function send(instance: AxiosInstance, count: number): Promise<void> {
  for (let done = 0; done < count; done += concurrency) {
    const batch = Math.min(concurrency, count - done)
    await Promise.all(Array.from({ length: batch }, () => instance.get('/empower/rollups/1')))
  }
}

/** heapUsed after full collections, the last of several (they settle after a few). */
async function settledHeap(): Promise<number> {
  let used = 0
  for (let i = 0; i < 4; i++) {
    await new Promise((resolve) => setImmediate(resolve))
    gc!()
    used = process.memoryUsage().heapUsed
  }

  return used
}

async function growth(
  instance: AxiosInstance,
  total: number
): Promise<{ at: number; after: number; requests: number }> {
  await send(instance, small)
  const at = await settledHeap()
  await send(instance, total - small)
  const after = await settledHeap()

  return { at, after, requests: total }
}

const api = await startLoyalApi({ maxRequests: 0 })
const auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url })
const token = await auth.getToken()

const control = axios.create({
  baseURL: api.url,
  adapter,
  headers: { Authorization: `Bearer ${token.value}` },
})
const loyal = createLoyalAxios(auth, { adapter })

const controlHeap = await growth(control, controlLarge)
const loyalHeap = await growth(loyal, large)

await auth.close()
await api.close()

sendResult({ small, large, control: controlHeap, loyal: loyalHeap })
