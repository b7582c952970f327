import { describe, expect, it } from 'vitest'
import { clockOffsetFrom } from '../src/server-clock.js'

describe('clockOffsetFrom', () => {
  const local = Date.parse('2026-12-03T15:00:00Z')

  it('is the API clock minus the local clock', () => {
    expect(clockOffsetFrom('Thu, 03 Dec 2026 15:10:00 GMT', local)).toBe(600_000)
    expect(clockOffsetFrom('Wed, 02 Dec 2026 14:00:00 GMT', local)).toBe(-25 * 3_600_000)
  })

  it('is undefined for an absent or garbage Date', () => {
    expect(clockOffsetFrom(null, local)).toBeUndefined()
    expect(clockOffsetFrom('yesterday-ish', local)).toBeUndefined()
  })
})
