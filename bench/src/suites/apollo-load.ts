/**
 * Apollo: autocannon posts one GraphQL query to Apollo Server (child process), whose data
 * source calls a trivial upstream (another child); LoyalDataSource against a plain
 * RESTDataSource with a fixed header, interleaved.
 */
import { type HttpSample, loadServer } from '../autocannon-load.js'
import { startChild } from '../child.js'
import { formatEstimate } from '../format.js'
import { estimate, judge } from '../stats.js'
import type { Suite } from '../suite.js'

export interface ApolloRound {
  plain: HttpSample
  loyal: HttpSample
}

const query = JSON.stringify({ query: '{ rollup(id: 1) { id name total } }' })

export const apolloLoad: Suite<ApolloRound> = {
  name: 'apollo',
  rounds: (ctx) => (ctx.smoke ? 1 : 8),

  async measure(ctx, rounds) {
    const upstream = await startChild('plain-http', { BENCH_TOKEN: ctx.token })
    const server = await startChild('apollo-app', {
      UPSTREAM_URL: upstream.url,
      BENCH_TOKEN: ctx.token,
    }).catch(async (error: unknown) => {
      await upstream.stop()
      throw error
    })
    const seconds = ctx.smoke ? 0.3 : 0.75
    const run = (variant: 'plain' | 'loyal', durationSeconds = seconds) =>
      loadServer(server, {
        path: '/',
        method: 'POST',
        body: query,
        headers: { 'content-type': 'application/json', 'x-variant': variant },
        durationSeconds,
      })

    try {
      await run('plain', ctx.smoke ? 0.2 : 1)
      await run('loyal', ctx.smoke ? 0.2 : 1)

      const result: ApolloRound[] = []
      for (let round = 0; round < rounds; round++) {
        const order =
          round % 2 === 0 ? (['plain', 'loyal'] as const) : (['loyal', 'plain'] as const)
        const samples: Partial<ApolloRound> = {}
        for (const variant of order) samples[variant] = await run(variant)
        const { plain, loyal } = samples as ApolloRound
        result.push({ plain, loyal })
        ctx.log(
          `apollo round ${round + 1}/${rounds}: plain ${plain.rps.toFixed(0)}/s ` +
            `${plain.cpu.toFixed(1)}µs, loyal ${loyal.rps.toFixed(0)}/s ${loyal.cpu.toFixed(1)}µs`
        )
      }

      return result
    } finally {
      await server.stop()
      await upstream.stop()
    }
  },

  evaluate(rounds) {
    const ratio = estimate(rounds.map((r) => r.loyal.rps / r.plain.rps))
    const cpuCost = estimate(rounds.map((r) => r.loyal.cpu - r.plain.cpu))
    const cpu = (v: 'plain' | 'loyal') => estimate(rounds.map((r) => r[v].cpu))
    const failures = rounds.reduce((n, r) => n + r.plain.failures + r.loyal.failures, 0)

    return [
      {
        id: 'apollo-overhead',
        figure: 'Apollo overhead',
        how: 'autocannon operations/s, one query through LoyalDataSource ÷ a plain RESTDataSource with a fixed header (same fetch); Apollo and upstream in child processes, interleaved',
        goal: 'ratio ≥ 0.95',
        result:
          `${formatEstimate(ratio)}; Apollo process CPU ${cpu('plain').median.toFixed(1)} → ` +
          `${cpu('loyal').median.toFixed(1)} µs/op (+${formatEstimate(cpuCost, 1, ' µs')})` +
          (failures > 0 ? `; ${failures} failed requests` : ''),
        verdict: failures > 0 ? 'missed' : judge(ratio, { kind: 'atLeast', value: 0.95 }),
        data: {
          ratio,
          cpuCost,
          cpu: { plain: cpu('plain'), loyal: cpu('loyal') },
          failures,
          rounds,
        },
      },
    ]
  },
}
