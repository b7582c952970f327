import type { LoyalApi } from '@loyal-auth/testing'
import type { Verdict } from './stats.js'

/** One line of the results table. */
export interface RowResult {
  /** Stable key in results.json. */
  id: string
  figure: string
  how: string
  goal: string
  /** The figure, written for people: median and interval, or the count. */
  result: string
  verdict: Verdict
  /** Numbers behind `result` (rounds included), for results.json. */
  data: Record<string, unknown>
  /** Why the goal is out of reach, where the numbers show it (printed under the table). */
  cause?: string
  /** Set when the row was measured again because its first verdict was undecided. */
  rerun?: boolean
}

/** What every suite gets. */
export interface BenchContext {
  smoke: boolean
  /** The embedded Loyal API, for tokens and as the token endpoint where one is needed. */
  api: LoyalApi
  /** A valid 24 h token minted by the embedded API, for the fixed-header baselines. */
  token: string
  log(message: string): void
}

/**
 * A group of rows measured together (one setup, interleaved variants). `measure` returns raw
 * rounds; `evaluate` turns any number of rounds into rows, so an undecided row can be measured
 * again and judged on the rounds of both runs.
 */
export interface Suite<Round = unknown> {
  name: string
  /** Rounds of a normal run; a rerun adds this many again. 0: measured once, never rerun. */
  rounds(ctx: BenchContext): number
  measure(ctx: BenchContext, rounds: number): Promise<Round[]>
  evaluate(rounds: Round[], ctx: BenchContext): RowResult[]
}
