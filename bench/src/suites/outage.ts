/** Outage tolerance of a 24 h token with default settings (simulated clock, see servers/outage.ts). */
import { runChild } from '../child.js'
import { formatDuration } from '../format.js'
import type { OutageResult } from '../servers/outage.js'
import type { Suite } from '../suite.js'

export interface OutageRound {
  stepMs: number
  results: OutageResult[]
}

const goalMs = 4 * 3_600_000

export const outage: Suite<OutageRound> = {
  name: 'outage',
  rounds: () => 0,

  async measure(ctx) {
    const env: Record<string, string> = ctx.smoke
      ? { STEP_MS: String(10 * 60_000), DRAWS: '0.999999' }
      : {}
    const round = await runChild<OutageRound>('outage', { env })
    ctx.log(`outage: ${JSON.stringify(round)}`)

    return [round]
  },

  evaluate([round]) {
    const { stepMs, results } = round!
    const worst = results.reduce((a, b) => (b.toleranceMs < a.toleranceMs ? b : a))
    const best = results.reduce((a, b) => (b.toleranceMs > a.toleranceMs ? b : a))
    const at = (r: OutageResult) =>
      `refresh at ${formatDuration(r.refreshAfter)}, first failed call at ${formatDuration(r.failedAfter)}`

    return [
      {
        id: 'outage-tolerance',
        figure: 'outage tolerance',
        how: `24 h token, default settings, injected clock in ${formatDuration(stepMs)} steps; token endpoint down (503) from the refresh point until the first failed call; refresh point at the start and at the end of the refresh window`,
        goal: '≥ 4 h (worst case)',
        result:
          `${formatDuration(worst.toleranceMs)} worst case (${at(worst)}); ` +
          `${formatDuration(best.toleranceMs)} best case`,
        verdict: worst.toleranceMs >= goalMs ? 'met' : 'missed',
        cause:
          'the background refresh runs at a random point between 75% and 85% of the usable life ' +
          '(default refreshWindow [0.75, 0.85]); drawn at 85%, 15% of 24 h is left ' +
          `(${formatDuration(worst.toleranceMs)}) before the token is spent and the next call ` +
          'needs the endpoint. A window ending at 0.83 or earlier leaves at least 4 h ' +
          '(e.g. [0.7, 0.8]: 4 h 48 min).',
        data: { ...round, goalMs },
      },
    ]
  },
}
