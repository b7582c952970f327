/** Fleet: processes sharing one Redis through token expiries (see fleet/fleet-run.ts). */
import { runChild } from '../child.js'
import type { FleetRound } from '../fleet/fleet-run.js'
import { judgeExact } from '../stats.js'
import type { Suite } from '../suite.js'

export const fleet: Suite<FleetRound> = {
  name: 'fleet',
  rounds: () => 0,

  async measure(ctx) {
    const env = ctx.smoke ? { PROCESSES: '2', EXPIRIES: '1' } : { PROCESSES: '8', EXPIRIES: '2' }
    const round = await runChild<FleetRound>('fleet-run', { env, fromSource: 'fleet' })
    ctx.log(`fleet: ${JSON.stringify(round)}`)

    return [round]
  },

  evaluate([round]) {
    const { processes, expiries, tokenLife, tokenRequests, calls, failures, finalTokens } = round!
    const ok = failures.length === 0 && finalTokens === 1 && round!.unauthorized === 0

    return [
      {
        id: 'fleet',
        figure: 'fleet',
        how: `${processes} processes, one Redis (RedisTokenStore), ${tokenLife / 1000} s tokens, through ${expiries} expiries, each process calling the embedded API every 20 ms (the fleet worker of packages/redis tests)`,
        goal: '1 token request per expiry (+1 cold start)',
        result:
          `${tokenRequests} token requests for cold start + ${expiries} expiries; ` +
          `${calls} calls, ${failures.length} failed, ${round!.unauthorized} answered 401; ` +
          `${finalTokens} token(s) in use at the end`,
        verdict: ok ? judgeExact(tokenRequests, { kind: 'atMost', value: 1 + expiries }) : 'missed',
        data: { ...round },
      },
    ]
  },
}
