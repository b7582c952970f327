/** Memory: heap growth between 1,000 and 100,000 requests through the axios interceptor. */
import { runChild } from '../child.js'
import { formatBytes, formatCount } from '../format.js'
import type { Suite } from '../suite.js'

interface Heap {
  at: number
  after: number
  requests: number
}

export interface MemoryRound {
  small: number
  large: number
  control: Heap
  loyal: Heap
}

/** Below one byte a request, a leak of even one small object per request would show. */
const allowancePerRequest = 1

export const memory: Suite<MemoryRound> = {
  name: 'memory',
  rounds: () => 0,

  async measure(ctx) {
    const env: Record<string, string> = ctx.smoke
      ? { SMALL: '100', LARGE: '2000', CONTROL_LARGE: '1000' }
      : {}
    const round = await runChild<MemoryRound>('memory', { env, execArgv: ['--expose-gc'] })
    ctx.log(`memory: ${JSON.stringify(round)}`)

    return [round]
  },

  evaluate([round]) {
    const { small, large, control, loyal } = round!
    const grew = loyal.after - loyal.at
    const controlGrew = control.after - control.at
    const allowance = Math.max(0, controlGrew) + allowancePerRequest * (large - small)

    return [
      {
        id: 'memory',
        figure: 'memory',
        how: `heap after ${formatCount(large)} requests through the interceptor minus after ${formatCount(small)} (gc via --expose-gc, canned axios adapter, after a warm-up on throwaway instances so JIT code is not counted); axios without it, ${formatCount(small)} → ${formatCount(control.requests)}, for reference`,
        goal: 'no growth beyond noise (< 1 byte/request more than plain axios)',
        result: `${formatBytes(grew)}, ${(grew / (large - small) || 0).toFixed(2)} bytes/request (plain axios: ${formatBytes(controlGrew)})`,
        verdict: grew <= allowance ? 'met' : 'missed',
        data: { ...round, growth: grew, controlGrowth: controlGrew, allowance },
      },
    ]
  },
}
