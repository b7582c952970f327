import { describe, expect, it } from 'vitest'
import { clockOffsetFrom } from '../src/server-clock.js'

describe('clockOffsetFrom', () => {
  const local = Date.parse('2026-12-03T15:00:00Z')

  it('is the API clock minus the local clock, the header read as the end of its second', () => {
    expect(clockOffsetFrom('Thu, 03 Dec 2026 15:10:00 GMT', local)).toBe(600_999)
    expect(clockOffsetFrom('Wed, 02 Dec 2026 14:00:00 GMT', local)).toBe(-25 * 3_600_000 + 999)
  })

  it('never puts the API clock behind the instant the header may stand for', () => {
    const header = 'Thu, 03 Dec 2026 15:00:00 GMT'
    const latest = Date.parse(header) + 999

    // Clocks in step, or ours 300 ms slow or fast, received anywhere in that second.
    for (const skew of [0, 300, -300]) {
      for (const into of [0, 1, 500, 999]) {
        const apiNow = local + into
        const localNow = apiNow - skew
        const offset = clockOffsetFrom(header, localNow) as number

        expect(localNow + offset).toBeGreaterThanOrEqual(apiNow)
        expect(localNow + offset).toBe(latest)
      }
    }
  })

  it('is undefined for an absent or garbage Date', () => {
    expect(clockOffsetFrom(null, local)).toBeUndefined()
    expect(clockOffsetFrom('yesterday-ish', local)).toBeUndefined()
  })
})
