import { inspect } from 'node:util'
import { LoyalError, type LoyalErrorCode } from '@loyal-auth/core'
import { GraphQLError } from 'graphql'
import { describe, expect, it } from 'vitest'
import { toGraphQLError } from '../src/index.js'

const jwt =
  'eyJhbGciOiJIUzI1NiJ9.eyJDbGllbnRJZCI6IjcxNGRmNDA2In0.nt0JreFFPWOV6Ns1EI0ExWbNBQ_IFW9LzrufibsnbEw'

describe('toGraphQLError', () => {
  it.each<[LoyalErrorCode, string]>([
    ['insufficient_scope', 'FORBIDDEN'],
    ['unauthorized', 'UNAUTHENTICATED'],
    ['invalid_api_key', 'LOYAL_INVALID_API_KEY'],
    ['token_endpoint_unavailable', 'LOYAL_TOKEN_ENDPOINT_UNAVAILABLE'],
    ['timeout', 'LOYAL_TIMEOUT'],
    ['malformed_token', 'LOYAL_MALFORMED_TOKEN'],
    ['config', 'LOYAL_CONFIG'],
    ['store', 'LOYAL_STORE'],
  ])('maps LoyalError %s to %s', (loyalCode, code) => {
    const error = toGraphQLError(new LoyalError(loyalCode, 'failed', { upstreamStatus: 503 }))

    expect(error.extensions).toEqual({ code, status: 503 })
    expect(error.originalError).toBeInstanceOf(LoyalError)
  })

  it('keeps the scopes a FORBIDDEN error needs and where the call went', () => {
    const cause = new LoyalError('insufficient_scope', 'no', {
      required: ['rules:write'],
      method: 'POST',
      path: '/rules',
    })

    expect(toGraphQLError(cause).extensions).toEqual({
      code: 'FORBIDDEN',
      required: ['rules:write'],
      method: 'POST',
      path: '/rules',
    })
  })

  it('turns an unreachable API into UPSTREAM_ERROR naming the call', () => {
    const error = toGraphQLError(new TypeError('fetch failed'), { method: 'GET', path: '/users' })

    expect(error.extensions).toEqual({ code: 'UPSTREAM_ERROR', method: 'GET', path: '/users' })
    expect(error.message).toBe('The Loyal API could not be reached for GET /users: fetch failed')
  })

  it('passes a GraphQLError through unchanged', () => {
    const original = new GraphQLError('mine', { extensions: { code: 'MINE' } })

    expect(toGraphQLError(original)).toBe(original)
  })

  it('hides a token quoted in a message, in every serialised form', () => {
    const error = toGraphQLError(new Error(`socket closed while sending ${jwt}`))

    for (const text of [error.message, JSON.stringify(error), inspect(error), error.stack ?? '']) {
      expect(text).not.toContain(jwt)
    }
  })
})
