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

  it('names the system code of a fetch failure, never its message', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:443'), {
      code: 'ECONNREFUSED',
    })
    const error = toGraphQLError(new TypeError('fetch failed', { cause: refused }), {
      method: 'GET',
      path: '/users',
    })

    expect(error.extensions).toEqual({ code: 'UPSTREAM_ERROR', method: 'GET', path: '/users' })
    expect(error.message).toBe(
      'The Loyal API could not be reached for GET /users: fetch failed (ECONNREFUSED)'
    )
  })

  it.each([
    ['an abort', new DOMException('This operation was aborted', 'AbortError'), 'was aborted'],
    ['a timeout', new DOMException('The operation timed out', 'TimeoutError'), 'timed out'],
  ])('turns %s of the request into UPSTREAM_ERROR', (_, cause, said) => {
    const error = toGraphQLError(cause, { method: 'GET', path: '/users' })

    expect(error.extensions?.code).toBe('UPSTREAM_ERROR')
    expect(error.message).toContain(`could not be reached for GET /users: the request ${said}`)
  })

  it('keeps the URL and query of a node-fetch failure out of message and stack', () => {
    const failure = Object.assign(
      new Error('request to https://api.example/users?ssn=078-05-1120 failed, reason: reset'),
      { name: 'FetchError', type: 'system', code: 'ECONNRESET' }
    )
    const error = toGraphQLError(failure, { method: 'GET', path: '/users' })

    expect(error.extensions?.code).toBe('UPSTREAM_ERROR')
    expect(error.message).toBe(
      'The Loyal API could not be reached for GET /users: fetch failed (ECONNRESET)'
    )
    for (const text of [error.message, JSON.stringify(error), error.stack ?? '']) {
      expect(text).not.toContain('078-05-1120')
    }
  })

  it.each([
    ['an error of the caller’s own', new Error('no tenant selected')],
    ['a TypeError without a network cause', new TypeError('"a\nb" is an invalid header value')],
    ['a JSON error', new SyntaxError('Unexpected end of JSON input')],
  ])('reports %s as Apollo does any error: INTERNAL_SERVER_ERROR', (_, cause) => {
    const error = toGraphQLError(cause, { method: 'GET', path: '/users' })

    expect(error.extensions).toEqual({ code: 'INTERNAL_SERVER_ERROR' })
    expect(error.message).toBe(cause.message)
    expect(error.message).not.toContain('could not be reached')
    expect(error.originalError).toBe(cause)
  })

  it('passes a GraphQLError through unchanged', () => {
    const original = new GraphQLError('mine', { extensions: { code: 'MINE' } })

    expect(toGraphQLError(original)).toBe(original)
  })

  it.each([
    ['an error of its own', new Error(`socket closed while sending ${jwt}`)],
    ['a fetch failure', new TypeError(`fetch failed for ${jwt}`, { cause: new Error('reset') })],
  ])('hides a token quoted in %s, in every serialised form', (_, cause) => {
    const error = toGraphQLError(cause)

    for (const text of [error.message, JSON.stringify(error), inspect(error), error.stack ?? '']) {
      expect(text).not.toContain(jwt)
    }
  })
})
