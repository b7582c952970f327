/**
 * The CPU an axios request costs with loyal-auth attached, without the network: the same
 * requests through a canned adapter (no socket), createLoyalAxios against the same axios with a
 * fixed header, interleaved. The loopback row measures the same difference under real HTTP,
 * where it drowns in the HTTP client's own cost (a hundred µs or more a request); here only
 * axios and our interceptor run, so the difference is ours.
 */
import { performance } from 'node:perf_hooks'
import { createLoyalAxios } from '@loyal-auth/axios'
import { LoyalAuth } from '@loyal-auth/core'
import axios, { type AxiosAdapter, type AxiosInstance } from 'axios'
import { formatEstimate } from '../format.js'
import { estimate, judge } from '../stats.js'
import type { Suite } from '../suite.js'

export interface AxiosCpuRound {
  /** Client CPU per request, µs. */
  fixed: number
  loyal: number
}

const body = { id: 1, name: 'Piedmont rollup', total: 42 }
const adapter: AxiosAdapter = async (config) => ({
  data: body,
  status: 200,
  statusText: 'OK',
  headers: {},
  config,
  request: {},
})

async function cpuPerRequest(instance: AxiosInstance, requests: number): Promise<number> {
  const cpu0 = process.cpuUsage()
  for (let done = 0; done < requests; done += 50) {
    await Promise.all(Array.from({ length: 50 }, () => instance.get('/empower/rollups/1')))
  }
  const { user, system } = process.cpuUsage(cpu0)

  return (user + system) / requests
}

export const axiosCpu: Suite<AxiosCpuRound> = {
  name: 'axios-cpu',
  rounds: (ctx) => (ctx.smoke ? 1 : 16),

  async measure(ctx, rounds) {
    const auth = new LoyalAuth({ apiKey: ctx.api.apiKey, baseUrl: ctx.api.url })
    const requests = ctx.smoke ? 200 : 2_000

    try {
      const token = await auth.getToken()
      const instances = {
        fixed: axios.create({
          baseURL: ctx.api.url,
          adapter,
          headers: { Authorization: `Bearer ${token.value}` },
        }),
        loyal: createLoyalAxios(auth, { adapter }),
      }
      await cpuPerRequest(instances.fixed, requests)
      await cpuPerRequest(instances.loyal, requests)

      const result: AxiosCpuRound[] = []
      const started = performance.now()
      for (let round = 0; round < rounds; round++) {
        const order =
          round % 2 === 0 ? (['fixed', 'loyal'] as const) : (['loyal', 'fixed'] as const)
        const sample: Partial<AxiosCpuRound> = {}
        for (const variant of order)
          sample[variant] = await cpuPerRequest(instances[variant], requests)
        result.push(sample as AxiosCpuRound)
      }
      const last = result.at(-1)!
      ctx.log(
        `axios-cpu: ${rounds} rounds in ${((performance.now() - started) / 1000).toFixed(1)} s, ` +
          `last fixed ${last.fixed.toFixed(1)}µs loyal ${last.loyal.toFixed(1)}µs`
      )

      return result
    } finally {
      await auth.close()
    }
  },

  evaluate(rounds) {
    const cost = estimate(rounds.map((r) => r.loyal - r.fixed))
    const fixed = estimate(rounds.map((r) => r.fixed))
    const loyal = estimate(rounds.map((r) => r.loyal))

    return [
      {
        id: 'axios-cpu-in-process',
        figure: 'axios CPU cost, no network',
        how: 'client CPU per request through a canned axios adapter (no socket), createLoyalAxios minus the same axios with a fixed header, interleaved',
        goal: '≤ 2 µs/request',
        result:
          `${formatEstimate(cost, 2, ' µs')}; axios alone ${fixed.median.toFixed(1)} µs, ` +
          `with loyal-auth ${loyal.median.toFixed(1)} µs`,
        verdict: judge(cost, { kind: 'atMost', value: 2 }),
        data: { cost, fixed, loyal, rounds },
      },
    ]
  },
}
