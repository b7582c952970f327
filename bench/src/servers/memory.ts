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
const warmup = Number(process.env.WARMUP ?? 10_000)

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

// The token request leaves a keep-alive socket. When it closes (idle, or the server going), the
// error undici makes has its stack trace formatted, and V8 builds a one-off line table of
// undici's source (about 125 KB). Close it now, before measuring: later it would land in
// whichever side was being measured. The token stays cached; no request needs the API again.
await api.close()
await new Promise((resolve) => setTimeout(resolve, 200))

const plainAxios = () =>
  axios.create({ baseURL: api.url, adapter, headers: { Authorization: `Bearer ${token.value}` } })

// The JIT compiles axios' and our code during the first several thousand requests, and the
// code it keeps is heap too: it is warmed on throwaway instances first, so the figure is about
// what requests leave behind, not about compiling.
await send(plainAxios(), warmup)
await send(createLoyalAxios(auth, { adapter }), warmup)

const control = plainAxios()
const loyal = createLoyalAxios(auth, { adapter })

const controlHeap = await growth(control, controlLarge)
const loyalHeap = await growth(loyal, large)

await auth.close()

sendResult({ small, large, control: controlHeap, loyal: loyalHeap })
