import { describe, expect, it } from 'vitest'
import { loyalErrorResponse } from '../src/error-response.js'
import { LoyalError } from '../src/loyal-error.js'

describe('loyalErrorResponse', () => {
  it('answers with the code table status and { error, message }', () => {
    const response = loyalErrorResponse(new LoyalError('timeout', 'The token endpoint is slow'))

    expect(response).toEqual({
      status: 504,
      headers: {},
      body: { error: 'timeout', message: 'The token endpoint is slow' },
    })
  })

  it('adds the required scopes and Retry-After in whole seconds', () => {
    const error = new LoyalError('insufficient_scope', 'no', { required: ['rules:write'] })
    const cooling = new LoyalError('token_endpoint_unavailable', 'wait', { retryAfter: 1200 })

    expect(loyalErrorResponse(error).body.required).toEqual(['rules:write'])
    expect(loyalErrorResponse(error).status).toBe(403)
    expect(loyalErrorResponse(cooling).headers).toEqual({ 'Retry-After': '2' })
  })

  it('redacts the message, generically by default and with the given redactor', () => {
    const error = new LoyalError('unauthorized', 'sent Bearer eyJa.eyJb.c and key k3y-secret')

    expect(loyalErrorResponse(error).body.message).not.toContain('eyJa.eyJb.c')
    expect(
      loyalErrorResponse(error, (text) => text.replace('k3y-secret', '[redacted]')).body.message
    ).not.toContain('k3y-secret')
  })
})
