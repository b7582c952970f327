import { describe, expect, it } from 'vitest'
import { parseToken } from '../src/loyal-token.js'
import { checkScopes } from '../src/scope-check.js'
import { parseScopes } from '../src/scopes.js'
import { mintToken } from './helpers/mint-token.js'

const MS_SCOPE = 'http://schemas.microsoft.com/identity/claims/scope'

// Everything a guard may ask; each encoding of one grant set must answer all of it the same.
async function answersFor(claims: Record<string, unknown>) {
  const token = parseToken(await mintToken(claims))

  return {
    hasScopeInfo: token.hasScopeInfo,
    usersRead: [token.hasScope('users:read'), token.hasScope('read:users')],
    usersReadDotted: token.hasScope('Users.Read'),
    usersWrite: token.hasScope('users:write'),
    rulesRead: token.can('read', 'rules'),
    rulesWrite: [token.can('write', 'Rules'), token.hasScope('RULES:WRITE')],
    rulesReadWrite: token.can('readwrite', 'rules'),
    empowerRead: token.can('read', 'empower'),
    missing: token.missingScopes(['users:read', 'users:write', 'rules:write']),
    any: token.missingScopes(['users:write', 'rules:write'], 'any'),
    check: checkScopes(token, ['users:read', 'rules:write']),
  }
}

describe('parseScopes: C12, one grant set in every encoding', () => {
  // Read-only users, write (only) on rules.
  const readUsersWriteRules: Record<string, Record<string, unknown>> = {
    'scopes string': { scopes: 'users:read rules:write' },
    'scopes array': { scopes: ['users:read', 'rules:write'] },
    'scope string': { scope: 'users:read rules:write' },
    'scp array': { scp: ['users:read', 'rules:write'] },
    'permissions array': { permissions: ['users:read', 'rules:write'] },
    'comma string': { scope: 'users:read,rules:write' },
    'comma and space string': { scope: ' users:read , rules:write ' },
    'PascalCase claim name': { Scope: 'users:read rules:write' },
    'Microsoft scope URI': { [MS_SCOPE]: 'users:read rules:write' },
    'action:resource': { scope: 'read:users write:rules' },
    'resource.action': { scp: 'Users.Read Rules.Write' },
    'upper case': { scope: 'USERS:READ RULES:WRITE' },
    'map of actions objects': {
      scopes: { users: { actions: ['read'] }, rules: { actions: ['write'] } },
    },
    'map of arrays': { permissions: { users: ['read'], rules: ['write'] } },
    'map of strings': { scopes: { users: 'read', rules: 'write' } },
    'map of flags': { scopes: { users: { read: true, write: false }, rules: { write: true } } },
    'split over two claims': { scope: 'users:read', scp: ['rules:write'] },
    'with junk': { scopes: ['users:read', 5, null, { x: 1 }, 'rules:write', true] },
    'URI-prefixed': { scp: 'api://loyal/users.read api://loyal/rules.write' },
  }

  const expected = {
    hasScopeInfo: true,
    usersRead: [true, true],
    usersReadDotted: true,
    usersWrite: false,
    rulesRead: false,
    rulesWrite: [true, true],
    rulesReadWrite: false,
    empowerRead: false,
    missing: ['users:write'],
    any: [],
    check: { status: 'granted' },
  }

  for (const [encoding, claims] of Object.entries(readUsersWriteRules)) {
    it(`answers the same for ${encoding}`, async () => {
      expect(await answersFor(claims)).toEqual(expected)
    })
  }
})

describe('parseScopes: read-only users, read/write rules (the Loyal docs example)', () => {
  const readUsersReadWriteRules: Record<string, Record<string, unknown>> = {
    dotted: { scp: 'Users.Read Rules.ReadWrite' },
    'two scopes for rules': { scopes: 'users:read rules:read rules:write' },
    rw: { scope: ['users:read', 'rules:rw'] },
    'read-write': { scope: 'users:read rules:read-write' },
    'map of actions objects': {
      scopes: { users: { actions: ['read'] }, rules: { actions: ['read', 'write'] } },
    },
    'map of string': { scopes: { users: 'read', rules: 'read write' } },
  }

  for (const [encoding, claims] of Object.entries(readUsersReadWriteRules)) {
    it(`answers the same for ${encoding}`, async () => {
      const token = parseToken(await mintToken(claims))

      expect(token.can('read', 'users')).toBe(true)
      expect(token.can('write', 'users')).toBe(false)
      expect(token.can('read', 'rules')).toBe(true)
      expect(token.can('write', 'rules')).toBe(true)
      expect(token.can('readwrite', 'rules')).toBe(true)
      expect(token.hasScope('Rules.ReadWrite')).toBe(true)
      expect(token.missingScopes(['users:readwrite', 'rules:rw'])).toEqual(['users:readwrite'])
    })
  }
})

describe('parseScopes: unknown versus empty', () => {
  const unknown: Record<string, Record<string, unknown>> = {
    'no claim': {},
    'a null claim (.NET writes unset properties as null)': { scope: null },
    'a number claim': { scopes: 5 },
    'a boolean claim': { scp: true },
  }

  for (const [name, claims] of Object.entries(unknown)) {
    it(`answers undefined, never throws, for ${name}`, () => {
      const grants = parseScopes(claims)

      expect(grants.known).toBe(false)
      expect(grants.has('users:read')).toBeUndefined()
      expect(grants.can('read', 'users')).toBeUndefined()
      expect(grants.missing(['users:read'])).toBeUndefined()
    })
  }

  const empty: Record<string, Record<string, unknown>> = {
    'an empty string': { scope: '' },
    'an empty array': { scopes: [] },
    'an array of junk': { scopes: [5, null, false] },
    'an empty map': { permissions: {} },
  }

  for (const [name, claims] of Object.entries(empty)) {
    it(`is known and grants nothing for ${name}`, () => {
      const grants = parseScopes(claims)

      expect(grants.known).toBe(true)
      expect(grants.has('users:read')).toBe(false)
      expect(grants.missing(['users:read'])).toEqual(['users:read'])
    })
  }
})

describe('parseScopes: raw strings and junk', () => {
  it('keeps raw strings as found, without duplicates, ignoring junk', async () => {
    const token = parseToken(await mintToken({ scopes: ['a', 5, null, 'Users.Read', 'a'] }))

    expect(token.scopes).toEqual(['a', 'Users.Read'])
    expect(token.hasScopeInfo).toBe(true)
    expect(token.hasScope('a')).toBe(true)
    expect(token.hasScope('A')).toBe(true)
    expect(token.hasScope('b')).toBe(false)
    expect(token.can('read', 'users')).toBe(true)
  })

  it('lists map entries as resource:action raw strings', () => {
    expect(parseScopes({ scopes: { users: ['read'], rules: 'read write' } }).raw).toEqual([
      'users:read',
      'rules:read',
      'rules:write',
    ])
  })

  it('never throws on deeply odd values', () => {
    const odd = [
      { scopes: { users: null, rules: 7, x: { actions: null } } },
      { scope: [[['users:read']]] },
      { scope: ':::' },
      { scope: '. .. ...' },
      { permissions: Object.create(null) },
    ]

    for (const claims of odd) expect(() => parseScopes(claims).has('users:read')).not.toThrow()
  })
})

describe('ScopeGrants: write does not imply read', () => {
  it('grants read only when the token says read, readwrite, rw or a wildcard', () => {
    expect(parseScopes({ scope: 'rules:write' }).can('read', 'rules')).toBe(false)
    expect(parseScopes({ scope: 'rules:readwrite' }).can('read', 'rules')).toBe(true)
    expect(parseScopes({ scope: 'rules:*' }).can('read', 'rules')).toBe(true)
  })
})

describe('ScopeGrants: wildcards', () => {
  it('reads *, resource:*, *:action and action:*', () => {
    const all = parseScopes({ scope: '*' })
    const users = parseScopes({ scope: 'users:*' })
    const readAll = parseScopes({ scope: '*:read' })
    const readAllReversed = parseScopes({ scope: 'read:*' })

    expect([all.can('delete', 'rules'), all.has('users:write')]).toEqual([true, true])
    expect([users.can('delete', 'users'), users.can('read', 'rules')]).toEqual([true, false])
    expect([readAll.can('read', 'empower'), readAll.can('write', 'users')]).toEqual([true, false])
    expect(readAllReversed.can('read', 'rules')).toBe(true)
    expect(readAllReversed.can('write', 'rules')).toBe(false)
  })

  it('needs a wildcard grant to satisfy a wildcard requirement', () => {
    expect(parseScopes({ scope: 'users:read users:write' }).has('users:*')).toBe(false)
    expect(parseScopes({ scope: 'users:*' }).has('users:*')).toBe(true)
  })

  it('reads a bare action as that action on every resource', () => {
    const grants = parseScopes({ scope: 'read' })

    expect(grants.can('read', 'users')).toBe(true)
    expect(grants.can('write', 'users')).toBe(false)
  })
})

describe('ScopeGrants.missing', () => {
  const grants = parseScopes({ scope: 'users:read' })

  it("lists each missing scope in 'all' mode, in the caller's notation", () => {
    expect(grants.missing(['Users.Read', 'Rules.Write', 'write:users'])).toEqual([
      'Rules.Write',
      'write:users',
    ])
  })

  it("needs one granted scope in 'any' mode", () => {
    expect(grants.missing(['rules:write', 'read:users'], 'any')).toEqual([])
    expect(grants.missing(['rules:write', 'users:write'], 'any')).toEqual([
      'rules:write',
      'users:write',
    ])
  })

  it('ignores blank requirements and grants an empty list', () => {
    expect(grants.missing([])).toEqual([])
    expect(grants.missing(['', '  ', 'users:read'])).toEqual([])
  })
})
