import { describe, expect, it } from 'vitest'
import { errorFromResponse } from '../src/index.js'

describe('errorFromResponse', () => {
  it('maps 401 to `unauthorized` with status, method and path', () => {
    const error = errorFromResponse(new Response(null, { status: 401 }), 'get', '/users')

    expect(error).toMatchObject({
      code: 'unauthorized',
      upstreamStatus: 401,
      method: 'GET',
      path: '/users',
    })
    expect(error?.httpStatus).toBe(502)
  })

  it('maps 403 to `insufficient_scope`, reading required scopes from the body or the challenge', () => {
    const plain = errorFromResponse(new Response(null, { status: 403 }), 'POST', '/rules')
    expect(plain).toMatchObject({
      code: 'insufficient_scope',
      httpStatus: 403,
      required: undefined,
    })

    const body = { error: 'insufficient_scope', required: ['rules:write', 7] }
    const fromBody = errorFromResponse(new Response(null, { status: 403 }), 'POST', '/rules', body)
    expect(fromBody?.required).toEqual(['rules:write'])

    const challenge = new Response(null, {
      status: 403,
      headers: {
        'www-authenticate': 'Bearer error="insufficient_scope", scope="rules:write users:read"',
      },
    })
    expect(errorFromResponse(challenge, 'POST', '/rules')?.required).toEqual([
      'rules:write',
      'users:read',
    ])
  })

  it('is undefined for other statuses and never copies the body', () => {
    expect(errorFromResponse(new Response(null, { status: 500 }), 'GET', '/users')).toBeUndefined()

    const echoed = { message: 'Authorization: Bearer eyJsecret' }
    const error = errorFromResponse(new Response(null, { status: 403 }), 'GET', '/users', echoed)
    expect(JSON.stringify(error)).not.toContain('eyJsecret')
  })
})
