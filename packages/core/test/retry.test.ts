import { describe, expect, it } from 'vitest'
import { parseRetryAfter as exported } from '../src/index.js'
import { backoffDelay, parseRetryAfter } from '../src/retry.js'

describe('backoffDelay', () => {
  it('is a random wait below min(max, base * 2^(attempt-1)): full jitter', () => {
    expect(backoffDelay(1, 100, 10_000, () => 0.999)).toBe(99)
    expect(backoffDelay(3, 100, 10_000, () => 0.5)).toBe(200)
    expect(backoffDelay(30, 100, 10_000, () => 0.999)).toBe(9_990)
    expect(backoffDelay(2, 100, 10_000, () => 0)).toBe(0)
  })
})

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-12-03T15:00:00Z')

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('3', null, now)).toBe(3_000)
    expect(parseRetryAfter(' 0 ', null, now)).toBe(0)
  })

  it('reads an HTTP date against the response Date, else the local clock', () => {
    const at = 'Thu, 03 Dec 2026 15:00:10 GMT'

    expect(parseRetryAfter(at, null, now)).toBe(10_000)
    expect(parseRetryAfter(at, 'Thu, 03 Dec 2026 15:00:08 GMT', now + 60_000)).toBe(2_000)
    expect(parseRetryAfter('Thu, 03 Dec 2026 14:00:00 GMT', null, now)).toBe(0)
  })

  it('ignores garbage; leaves capping long waits to the caller', () => {
    expect(parseRetryAfter(null, null, now)).toBeUndefined()
    expect(parseRetryAfter(undefined)).toBeUndefined()
    expect(parseRetryAfter('soon', null, now)).toBeUndefined()
    expect(parseRetryAfter('-1', null, now)).toBeUndefined()
    expect(parseRetryAfter('1.5', null, now)).toBeUndefined()
    expect(parseRetryAfter('9'.repeat(400), null, now)).toBeUndefined()
    expect(parseRetryAfter('3600', null, now)).toBe(3_600_000)
  })

  it('is exported by the package, the clock and the response Date optional', () => {
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString()

    expect(exported).toBe(parseRetryAfter)
    expect(exported('120')).toBe(120_000)
    expect(exported(inTenSeconds)).toBeGreaterThan(8_000)
    expect(exported(inTenSeconds)).toBeLessThanOrEqual(10_000)
  })
})
