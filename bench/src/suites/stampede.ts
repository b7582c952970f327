/** Cold stampede: many concurrent getToken() calls on a cold cache, one embedded API. */
import { performance } from 'node:perf_hooks'
import { LoyalAuth } from '@loyal-auth/core'
import { startLoyalApi } from '@loyal-auth/testing'
import { formatCount } from '../format.js'
import { judgeExact } from '../stats.js'
import type { Suite } from '../suite.js'

export interface StampedeRound {
  callers: number
  tokenRequests: number
  failed: number
  distinctTokens: number
  ms: number
}

export const stampede: Suite<StampedeRound> = {
  name: 'stampede',
  rounds: () => 0,

  async measure(ctx) {
    const callers = ctx.smoke ? 100 : 10_000
    const api = await startLoyalApi({ maxRequests: 0 })
    const auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url })

    try {
      const started = performance.now()
      const calls = Array.from({ length: callers }, () => auth.getToken())
      const settled = await Promise.allSettled(calls)
      const ms = performance.now() - started
      const tokens = new Set(
        settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value.value] : []))
      )
      const round = {
        callers,
        tokenRequests: api.counters.tokenRequests,
        failed: settled.filter((result) => result.status === 'rejected').length,
        distinctTokens: tokens.size,
        ms,
      }
      ctx.log(`stampede: ${JSON.stringify(round)}`)

      return [round]
    } finally {
      await auth.close()
      await api.close()
    }
  },

  evaluate([round]) {
    const { callers, tokenRequests, failed, distinctTokens, ms } = round!
    const ok = failed === 0 && distinctTokens === 1

    return [
      {
        id: 'cold-stampede',
        figure: 'cold stampede',
        how: `${formatCount(callers)} concurrent getToken() on a cold cache against the embedded API`,
        goal: '1 token request',
        result:
          `${tokenRequests} token request(s); ${formatCount(callers - failed)} callers got ` +
          `${distinctTokens === 1 ? 'the same token' : `${distinctTokens} tokens`} in ${ms.toFixed(0)} ms` +
          (failed > 0 ? `; ${failed} failed` : ''),
        verdict: ok ? judgeExact(tokenRequests, { kind: 'atMost', value: 1 }) : 'missed',
        data: { ...round },
      },
    ]
  },
}
