/**
 * Statistics for interleaved A/B rounds: medians, bootstrap intervals of the median, and the
 * met / missed / undecided verdict of a goal.
 */

export type Verdict = 'met' | 'missed' | 'undecided'

/** A figure with its 95% interval (bootstrap of the median over rounds). */
export interface Estimate {
  median: number
  low: number
  high: number
  /** How many rounds it was computed from. */
  rounds: number
}

/** A goal a figure is judged against: at least / at most `value`. */
export interface Goal {
  kind: 'atLeast' | 'atMost'
  value: number
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN

  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1

  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

/** mulberry32: a small seeded generator, so the same rounds always give the same interval. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0

  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)

    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * The median of `values` with a percentile-bootstrap 95% interval (seeded, so a given set of
 * rounds always gets the same interval). results.json keeps every round next to it.
 */
export function estimate(values: readonly number[], resamples = 4000): Estimate {
  const random = seededRandom(0x10ca1)
  const medians: number[] = []

  for (let i = 0; i < resamples; i++) {
    const sample = values.map(() => values[Math.floor(random() * values.length)] as number)
    medians.push(median(sample))
  }
  medians.sort((a, b) => a - b)

  return {
    median: median(values),
    low: medians[Math.floor(resamples * 0.025)] ?? Number.NaN,
    high: medians[Math.ceil(resamples * 0.975) - 1] ?? Number.NaN,
    rounds: values.length,
  }
}

/** Met when the whole interval clears the goal, missed when none of it does. */
export function judge(figure: Estimate, goal: Goal): Verdict {
  if (goal.kind === 'atLeast') {
    if (figure.low >= goal.value) return 'met'
    if (figure.high < goal.value) return 'missed'
  } else {
    if (figure.high <= goal.value) return 'met'
    if (figure.low > goal.value) return 'missed'
  }

  return 'undecided'
}

/** For a figure measured once (counts): met or missed, nothing in between. */
export function judgeExact(value: number, goal: Goal): Verdict {
  const ok = goal.kind === 'atLeast' ? value >= goal.value : value <= goal.value

  return ok ? 'met' : 'missed'
}
