import { describe, expect, it } from 'vitest'
import { isLoyalError, LoyalError } from '../src/index.js'

describe('LoyalError', () => {
  it('answers with the table status, not the upstream one, where frameworks read err.status', () => {
    const error = new LoyalError('invalid_api_key', 'refused', { upstreamStatus: 401 })

    expect(error.status).toBe(502)
    expect(error.httpStatus).toBe(502)
    expect(error.upstreamStatus).toBe(401)
  })

  it('serialises the upstream status under its own name', () => {
    const error = new LoyalError('unauthorized', 'refused', { upstreamStatus: 401 })

    expect(error.toJSON()).toMatchObject({ httpStatus: 502, upstreamStatus: 401 })
    expect(error.toJSON()).not.toHaveProperty('status')
  })

  it('is recognised by its brand, also without instanceof', () => {
    const copy = Object.create(null)
    Object.defineProperty(copy, Symbol.for('loyal-auth.error'), { value: true })

    expect(isLoyalError(copy)).toBe(true)
    expect(isLoyalError(new Error('x'))).toBe(false)
  })
})
