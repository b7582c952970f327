/**
 * axios through createLoyalAxios, against the same axios with a fixed Authorization header and
 * against axios-auth-refresh with a hand-written token cache, all three on one loopback server
 * in a child process. Rounds interleave the variants (A B C, C B A, ...).
 */
import { Agent } from 'node:http'
import { performance } from 'node:perf_hooks'
import { createLoyalAxios } from '@loyal-auth/axios'
import { LoyalAuth } from '@loyal-auth/core'
import axios, { type AxiosInstance } from 'axios'
import { createAuthRefresh } from 'axios-auth-refresh'
import { startChild } from '../child.js'
import { formatEstimate } from '../format.js'
import { estimate, judge } from '../stats.js'
import type { RowResult, Suite } from '../suite.js'

const variants = ['fixed', 'loyal', 'refresh'] as const
type Variant = (typeof variants)[number]

interface Sample {
  /** Requests per second. */
  rps: number
  /** Client CPU per request, µs. */
  cpu: number
  requests: number
}

export type AxiosRound = Record<Variant, Sample>

const path = '/empower/rollups/1'
const concurrency = 8

/** Runs `concurrency` request loops on `instance` for `durationMs`. */
async function drive(instance: AxiosInstance, durationMs: number): Promise<Sample> {
  let requests = 0
  const cpu0 = process.cpuUsage()
  const started = performance.now()
  const deadline = started + durationMs

  const loop = async () => {
    while (performance.now() < deadline) {
      await instance.get(path)
      requests++
    }
  }
  await Promise.all(Array.from({ length: concurrency }, loop))

  const elapsed = performance.now() - started
  const { user, system } = process.cpuUsage(cpu0)

  return { rps: (requests * 1000) / elapsed, cpu: (user + system) / requests, requests }
}

/** The usual alternative: a token cache written by hand, axios-auth-refresh for the 401. */
function refreshVariant(baseURL: string, apiKey: string, agent: Agent): AxiosInstance {
  const cache = { value: '', expiresAt: 0 }

  async function fetchToken(): Promise<string> {
    const headers = { Authorization: `ApiKey ${apiKey}` }
    const { data } = await axios.post(`${baseURL}/auth/client/token`, null, { headers })
    const payload = JSON.parse(Buffer.from(data.token.split('.')[1], 'base64url').toString())
    cache.value = data.token
    cache.expiresAt = payload.exp * 1000

    return cache.value
  }

  // Refresh ahead of expiry in the background; the request goes out with the cached token.
  function getAccessToken(): string {
    if (Date.now() > cache.expiresAt - 5 * 60_000) void fetchToken().catch(() => {})

    return cache.value
  }

  const instance = axios.create({ baseURL, httpAgent: agent })
  // Registered the way axios-auth-refresh's README shows it (asynchronous, the axios default).
  instance.interceptors.request.use((request) => {
    request.headers.Authorization = `Bearer ${getAccessToken()}`
    return request
  })
  createAuthRefresh(instance, async (failed) => {
    failed.response.config.headers.Authorization = `Bearer ${await fetchToken()}`
  })
  ;(instance as unknown as { prime: () => Promise<string> }).prime = fetchToken

  return instance
}

export const axiosLoad: Suite<AxiosRound> = {
  name: 'axios',
  rounds: (ctx) => (ctx.smoke ? 1 : 10),

  async measure(ctx, rounds) {
    const server = await startChild('plain-http', { BENCH_TOKEN: ctx.token })
    const agent = new Agent({ keepAlive: true, maxSockets: concurrency })
    const apiKey = 'bench-api-key'
    const auth = new LoyalAuth({ apiKey, baseUrl: server.url })

    try {
      await auth.getToken()
      const refresh = refreshVariant(server.url, apiKey, agent)
      await (refresh as unknown as { prime: () => Promise<string> }).prime()
      const instances: Record<Variant, AxiosInstance> = {
        fixed: axios.create({
          baseURL: server.url,
          httpAgent: agent,
          headers: { Authorization: `Bearer ${ctx.token}` },
        }),
        loyal: createLoyalAxios(auth, { httpAgent: agent }),
        refresh,
      }

      const duration = ctx.smoke ? 150 : 600
      // Warm-up: JIT, sockets, the server's own warm-up; not counted.
      for (const variant of variants) await drive(instances[variant], ctx.smoke ? 50 : 500)

      const result: AxiosRound[] = []
      for (let round = 0; round < rounds; round++) {
        const order = round % 2 === 0 ? variants : [...variants].reverse()
        const samples = {} as AxiosRound
        for (const variant of order) samples[variant] = await drive(instances[variant], duration)
        result.push(samples)
        ctx.log(
          `axios round ${round + 1}/${rounds}: ` +
            variants
              .map((v) => `${v} ${samples[v].rps.toFixed(0)}/s ${samples[v].cpu.toFixed(1)}µs`)
              .join(', ')
        )
      }

      return result
    } finally {
      await auth.close()
      agent.destroy()
      await server.stop()
    }
  },

  evaluate(rounds) {
    const ratio = estimate(rounds.map((r) => r.loyal.rps / r.fixed.rps))
    const cpuCost = estimate(rounds.map((r) => r.loyal.cpu - r.fixed.cpu))
    const versus = estimate(rounds.map((r) => r.loyal.rps / r.refresh.rps))
    const versusCpu = estimate(rounds.map((r) => r.loyal.cpu - r.refresh.cpu))
    const cpu = (v: Variant) => estimate(rounds.map((r) => r[v].cpu))
    const rps = (v: Variant) => estimate(rounds.map((r) => r[v].rps))
    const data = {
      rounds,
      concurrency,
      rps: { fixed: rps('fixed'), loyal: rps('loyal'), refresh: rps('refresh') },
      cpuMicrosPerRequest: { fixed: cpu('fixed'), loyal: cpu('loyal'), refresh: cpu('refresh') },
    }
    const cpuNote = `client CPU ${cpu('fixed').median.toFixed(1)} → ${cpu('loyal').median.toFixed(1)} µs/req`

    const rows: RowResult[] = [
      {
        id: 'axios-overhead',
        figure: 'axios overhead',
        how: `req/s through createLoyalAxios ÷ same axios with a fixed header; loopback server in a child process, ${concurrency} concurrent`,
        goal: 'ratio ≥ 0.97',
        result: `${formatEstimate(ratio)}; ${cpuNote}`,
        verdict: judge(ratio, { kind: 'atLeast', value: 0.97 }),
        data: { ratio, ...data },
      },
      {
        id: 'axios-cpu',
        figure: 'axios CPU cost',
        how: 'client process.cpuUsage (user+sys) per request, ours minus fixed header, same load',
        goal: '≤ 2 µs/request',
        result: formatEstimate(cpuCost, 2, ' µs'),
        verdict: judge(cpuCost, { kind: 'atMost', value: 2 }),
        data: { cpuCost, cpuMicrosPerRequest: data.cpuMicrosPerRequest },
      },
      {
        id: 'axios-vs-refresh',
        figure: 'axios vs axios-auth-refresh',
        how: 'req/s ours ÷ axios-auth-refresh with a hand-written token cache (interceptor registered the README way), same load',
        goal: 'ratio ≥ 1.00',
        result: `${formatEstimate(versus)}; CPU ours − theirs ${formatEstimate(versusCpu, 2, ' µs')}`,
        verdict: judge(versus, { kind: 'atLeast', value: 1 }),
        data: { ratio: versus, cpuDifference: versusCpu, rps: data.rps },
      },
    ]

    return rows
  },
}
