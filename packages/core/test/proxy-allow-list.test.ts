import { describe, expect, it } from 'vitest'
import { compileAllowList } from '../src/proxy-allow-list.js'

describe('compileAllowList', () => {
  const routes = compileAllowList([
    'GET /empower/*',
    'POST /empower/providers/totals',
    'get /users/:id',
  ])

  it.each([
    ['GET', '/empower/rollups', '/empower/rollups'],
    ['GET', '/empower/rollups?offset=0&limit=5', '/empower/rollups?offset=0&limit=5'],
    ['GET', '/empower/providers/12/totals', '/empower/providers/12/totals'],
    ['get', '/empower/rollups', '/empower/rollups'],
    ['POST', '/empower/providers/totals', '/empower/providers/totals'],
    ['GET', '/users/42', '/users/42'],
    ['GET', '/users/a%20b', '/users/a%20b'],
  ])('allows %s %s', (method, url, upstream) => {
    expect(routes.match(method, url)).toBe(upstream)
  })

  it.each([
    ['POST', '/empower/rollups'],
    ['DELETE', '/empower/providers/totals'],
    ['GET', '/empower'],
    ['GET', '/users/42/rules'],
    ['GET', '/rules'],
  ])('refuses %s %s, which is not on the list', (method, url) => {
    expect(routes.match(method, url)).toBeUndefined()
  })

  it.each([
    '/empower/../users',
    '/empower/./rollups',
    '/empower/%2e%2e/users',
    '/empower/%2E%2E/%2E%2E/users',
    '/empower/..%2Fusers',
    '/empower/..%2fusers',
    '/empower/x%5c..%5cusers',
    '/empower/x\\..\\users',
    '/empower//rollups',
    '/empower/rollups/',
    '//evil.example/empower/rollups',
    'http://evil.example/empower/rollups',
    'https:/evil.example/empower/rollups',
    '/empower/%252e%252e/users',
    '/empower/%E0%A4%A',
    '/empower/rollups#x',
    '/empower/roll ups',
    '/empower/a%00b',
    'empower/rollups',
    '',
  ])('refuses the escape attempt %j', (url) => {
    expect(routes.match('GET', url)).toBeUndefined()
  })

  it('re-encodes the checked segments, so upstream sees what was matched', () => {
    expect(routes.match('GET', '/empower/a%3Ab')).toBe('/empower/a%3Ab')
    expect(routes.match('GET', '/empower/a:b')).toBe('/empower/a%3Ab')
  })

  it.each([
    [[]],
    [['/empower/*']],
    [['GET empower']],
    [['GET /empower/../users']],
    [['GET /empower//x']],
    [[42]],
  ])('throws TypeError for the allow list %j', (allow) => {
    expect(() => compileAllowList(allow as string[])).toThrow(TypeError)
  })

  it('matches any method with *', () => {
    const any = compileAllowList(['* /rules/*'])

    expect(any.match('DELETE', '/rules/1')).toBe('/rules/1')
  })
})
