import { describe, expect, it } from 'vitest'
import {
  forwardedHeaderNames,
  proxyRequestHeaders,
  proxyResponseHeaders,
} from '../src/proxy-headers.js'
import { redactSecrets } from '../src/redact.js'

describe('proxyRequestHeaders', () => {
  it('forwards content headers and drops the browser credentials', () => {
    const headers = proxyRequestHeaders(
      {
        accept: 'application/json',
        'content-type': 'application/json',
        authorization: 'Bearer browser-session',
        cookie: 'sid=1',
        host: 'our.app',
        'x-http-method-override': 'DELETE',
        'x-custom': ['a', 'b'],
      },
      forwardedHeaderNames(['X-Custom'])
    )

    expect(Object.fromEntries(headers)).toEqual({
      accept: 'application/json',
      'content-type': 'application/json',
      'x-custom': 'a, b',
    })
  })

  it.each(['Authorization', 'cookie', 'Host', ''])('refuses to forward %j', (name) => {
    expect(() => forwardedHeaderNames([name])).toThrow(TypeError)
  })
})

describe('proxyResponseHeaders', () => {
  it('drops cookies, challenges, framing and any header echoing a secret', () => {
    const upstream = new Headers([
      ['content-type', 'application/json'],
      ['etag', '"1"'],
      ['set-cookie', 'a=1'],
      ['www-authenticate', 'Bearer error="invalid_token"'],
      ['authorization', 'Bearer x'],
      ['content-encoding', 'gzip'],
      ['content-length', '10'],
      ['x-echo', 'ApiKey loyal_secret'],
      ['x-key', 'loyal_secret'],
    ])
    const headers = proxyResponseHeaders(upstream, (text) => redactSecrets(text, ['loyal_secret']))

    expect(Object.fromEntries(headers)).toEqual({
      'content-type': 'application/json',
      etag: '"1"',
    })
  })
})
