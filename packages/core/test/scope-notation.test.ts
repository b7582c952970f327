import { describe, expect, it } from 'vitest'
import { expandAction, parseScopeRule } from '../src/scope-notation.js'

describe('parseScopeRule', () => {
  const cases: Array<[string, { resource: string; actions: string[] } | undefined]> = [
    ['users:read', { resource: 'users', actions: ['read'] }],
    ['read:users', { resource: 'users', actions: ['read'] }],
    ['Users.Read', { resource: 'users', actions: ['read'] }],
    ['Rules.ReadWrite', { resource: 'rules', actions: ['read', 'write'] }],
    ['rules:rw', { resource: 'rules', actions: ['read', 'write'] }],
    ['User.Read.All', { resource: 'user', actions: ['read'] }],
    ['loyal:users:read', { resource: 'users', actions: ['read'] }],
    ['api://loyal-api/Users.Read', { resource: 'users', actions: ['read'] }],
    ['users:impersonate', { resource: 'users', actions: ['impersonate'] }],
    ['delete:users', { resource: 'users', actions: ['delete'] }],
    ['*', { resource: '*', actions: ['*'] }],
    ['users:*', { resource: 'users', actions: ['*'] }],
    ['*:read', { resource: '*', actions: ['read'] }],
    ['read:*', { resource: '*', actions: ['read'] }],
    ['write', { resource: '*', actions: ['write'] }],
    ['openid', undefined],
    ['', undefined],
    [':read', undefined],
    ['users:', undefined],
    ['a.b.c', undefined],
  ]

  for (const [scope, rule] of cases) {
    it(`reads ${JSON.stringify(scope)}`, () => {
      expect(parseScopeRule(scope)).toEqual(rule)
    })
  }

  it('does not read a path without a scheme as a URI', () => {
    expect(parseScopeRule('users/read')).toBeUndefined()
  })
})

describe('expandAction', () => {
  it('expands readwrite and rw and lower-cases the rest', () => {
    expect(expandAction('ReadWrite')).toEqual(['read', 'write'])
    expect(expandAction('RW')).toEqual(['read', 'write'])
    expect(expandAction(' Delete ')).toEqual(['delete'])
  })
})
