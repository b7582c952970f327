/**
 * Express and Koa: autocannon against one server in a child process, on a trivial route behind
 * loyal() and the same route without it, interleaved (A B, B A, ...).
 */
import { type HttpSample, loadServer } from '../autocannon-load.js'
import { startChild } from '../child.js'
import { formatEstimate } from '../format.js'
import { estimate, judge } from '../stats.js'
import type { Suite } from '../suite.js'

export interface MiddlewareRound {
  plain: HttpSample
  loyal: HttpSample
}

function middlewareSuite(name: 'express' | 'koa', label: string): Suite<MiddlewareRound> {
  return {
    name,
    rounds: (ctx) => (ctx.smoke ? 1 : 8),

    async measure(ctx, rounds) {
      const env = { API_URL: ctx.api.url, API_KEY: ctx.api.apiKey }
      const server = await startChild(`${name}-app`, env)
      const seconds = ctx.smoke ? 0.3 : 0.75
      const run = (variant: 'plain' | 'loyal', durationSeconds = seconds) =>
        loadServer(server, { path: `/${variant}`, durationSeconds })

      try {
        await run('plain', ctx.smoke ? 0.2 : 1)
        await run('loyal', ctx.smoke ? 0.2 : 1)

        const result: MiddlewareRound[] = []
        for (let round = 0; round < rounds; round++) {
          const first = round % 2 === 0 ? 'plain' : 'loyal'
          const second = first === 'plain' ? 'loyal' : 'plain'
          const samples = { [first]: await run(first), [second]: await run(second) }
          const { plain, loyal } = samples as unknown as MiddlewareRound
          result.push({ plain, loyal })
          ctx.log(
            `${name} round ${round + 1}/${rounds}: plain ${plain.rps.toFixed(0)}/s ` +
              `${plain.cpu.toFixed(1)}µs, loyal ${loyal.rps.toFixed(0)}/s ${loyal.cpu.toFixed(1)}µs`
          )
        }

        return result
      } finally {
        await server.stop()
      }
    },

    evaluate(rounds) {
      const ratio = estimate(rounds.map((r) => r.loyal.rps / r.plain.rps))
      const cpuCost = estimate(rounds.map((r) => r.loyal.cpu - r.plain.cpu))
      const cpu = (v: 'plain' | 'loyal') => estimate(rounds.map((r) => r[v].cpu))
      const failures = rounds.reduce((n, r) => n + r.plain.failures + r.loyal.failures, 0)

      return [
        {
          id: `${name}-overhead`,
          figure: `${label} overhead`,
          how: `autocannon req/s on a trivial route with loyal() ÷ the same route without it; one server in a child process, both paths, interleaved`,
          goal: 'ratio ≥ 0.97',
          result:
            `${formatEstimate(ratio)}; server CPU ${cpu('plain').median.toFixed(1)} → ` +
            `${cpu('loyal').median.toFixed(1)} µs/req (+${formatEstimate(cpuCost, 2, ' µs')})` +
            (failures > 0 ? `; ${failures} failed requests` : ''),
          verdict: failures > 0 ? 'missed' : judge(ratio, { kind: 'atLeast', value: 0.97 }),
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
}

export const expressLoad = middlewareSuite('express', 'Express')
export const koaLoad = middlewareSuite('koa', 'Koa')
