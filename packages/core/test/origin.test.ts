import { describe, expect, it } from 'vitest'
import { isLoopbackHost, normalizeBaseUrl, resolveApiUrl } from '../src/origin.js'

describe('isLoopbackHost', () => {
  it.each(['127.0.0.1', '127.255.0.9', '[::1]', '::1', 'localhost', 'api.localhost'])(
    '%s is loopback',
    (host) => expect(isLoopbackHost(host)).toBe(true)
  )

  it.each(['128.0.0.1', '10.0.0.1', '127.example.com', 'localhost.example.com', '::2'])(
    '%s is not',
    (host) => expect(isLoopbackHost(host)).toBe(false)
  )
})

describe('normalizeBaseUrl', () => {
  it('drops trailing slashes and keeps a path', () => {
    expect(normalizeBaseUrl('https://api.example.com/')).toBe('https://api.example.com')
    expect(normalizeBaseUrl('https://api.example.com/v2//')).toBe('https://api.example.com/v2')
    expect(normalizeBaseUrl('HTTPS://API.Example.com:443')).toBe('https://api.example.com')
  })
})

describe('resolveApiUrl', () => {
  it('joins paths, passes absolute URLs through', () => {
    const base = 'https://api.example.com/v2'

    expect(resolveApiUrl(base, '/a?b=1').href).toBe('https://api.example.com/v2/a?b=1')
    expect(resolveApiUrl(base, 'a').href).toBe('https://api.example.com/v2/a')
    expect(resolveApiUrl(base, 'https://other.example/x').host).toBe('other.example')
    expect(resolveApiUrl(base, new URL('https://other.example/y')).pathname).toBe('/y')
  })
})
