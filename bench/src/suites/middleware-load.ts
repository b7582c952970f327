/**
 * Express and Koa: autocannon against one server in a child process, on a trivial route behind
 * loyal(), the same route without it, and behind a middleware that only calls next() (what the
 * framework charges for any middleware), interleaved (A B C, C B A, ...).
 */
import { type HttpSample, loadServer } from '../autocannon-load.js'
import { startChild } from '../child.js'
import { formatEstimate } from '../format.js'
import { estimate, judge } from '../stats.js'
import type { Suite } from '../suite.js'

export interface MiddlewareRound {
  plain: HttpSample
  noop: HttpSample
  loyal: HttpSample
}

const variants = ['plain', 'noop', 'loyal'] as const
type Variant = (typeof variants)[number]

function middlewareSuite(name: 'express' | 'koa', label: string): Suite<MiddlewareRound> {
  return {
    name,
    rounds: (ctx) => (ctx.smoke ? 1 : 8),

    async measure(ctx, rounds) {
      const env = { API_URL: ctx.api.url, API_KEY: ctx.api.apiKey }
      const server = await startChild(`${name}-app`, env)
      const seconds = ctx.smoke ? 0.3 : 0.75
      const run = (variant: Variant, durationSeconds = seconds) =>
        loadServer(server, { path: `/${variant}`, durationSeconds })

      try {
        for (const variant of variants) await run(variant, ctx.smoke ? 0.2 : 1)

        const result: MiddlewareRound[] = []
        for (let round = 0; round < rounds; round++) {
          const order = round % 2 === 0 ? variants : [...variants].reverse()
          const samples = {} as MiddlewareRound
          for (const variant of order) samples[variant] = await run(variant)
          result.push(samples)
          ctx.log(
            `${name} round ${round + 1}/${rounds}: ` +
              variants
                .map((v) => `${v} ${samples[v].rps.toFixed(0)}/s ${samples[v].cpu.toFixed(1)}µs`)
                .join(', ')
          )
        }

        return result
      } finally {
        await server.stop()
      }
    },

    evaluate(rounds) {
      const ratio = estimate(rounds.map((r) => r.loyal.rps / r.plain.rps))
      const noopRatio = estimate(rounds.map((r) => r.noop.rps / r.plain.rps))
      const overNoop = estimate(rounds.map((r) => r.loyal.rps / r.noop.rps))
      const cpuCost = estimate(rounds.map((r) => r.loyal.cpu - r.plain.cpu))
      const cpu = (v: Variant) => estimate(rounds.map((r) => r[v].cpu))
      const failures = rounds.reduce(
        (n, r) => n + r.plain.failures + r.noop.failures + r.loyal.failures,
        0
      )

      return [
        {
          id: `${name}-overhead`,
          figure: `${label} overhead`,
          how: `autocannon req/s on a trivial route with loyal() ÷ the same route without it; one server in a child process, interleaved with the route behind a middleware that only calls next(), for reference`,
          goal: 'ratio ≥ 0.97',
          result:
            `${formatEstimate(ratio)}; server CPU ${cpu('plain').median.toFixed(1)} → ` +
            `${cpu('loyal').median.toFixed(1)} µs/req (+${formatEstimate(cpuCost, 2, ' µs')}); ` +
            `a no-op middleware: ${formatEstimate(noopRatio)} (${cpu('noop').median.toFixed(1)} ` +
            `µs/req), loyal() ÷ no-op ${formatEstimate(overNoop)}` +
            (failures > 0 ? `; ${failures} failed requests` : ''),
          verdict: failures > 0 ? 'missed' : judge(ratio, { kind: 'atLeast', value: 0.97 }),
          cause:
            `a middleware that only calls next() already gives ${noopRatio.median.toFixed(3)} ` +
            `here: what ${label} charges for any middleware on a trivial route; loyal() ÷ that ` +
            `no-op is ${overNoop.median.toFixed(3)}.`,
          data: {
            ratio,
            noopRatio,
            overNoop,
            cpuCost,
            cpu: { plain: cpu('plain'), noop: cpu('noop'), loyal: cpu('loyal') },
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
