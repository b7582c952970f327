import { MS_SCOPE_CLAIM } from './scope-encoding.js'

// The server's own reading of scope claims. It is written independently of
// @loyal-auth/core on purpose: the embedded API is the oracle the SDK is tested against.

const SCOPE_CLAIMS = ['scope', 'scp', 'scopes', 'permissions', MS_SCOPE_CLAIM]

const BOTH = ['read', 'write']

const ACTION_WORDS: Record<string, readonly string[]> = {
  read: ['read'],
  r: ['read'],
  write: ['write'],
  w: ['write'],
  readwrite: BOTH,
  rw: BOTH,
  all: BOTH,
  full: BOTH,
  manage: BOTH,
  '*': BOTH,
}

/** Actions granted per resource; the resource `*` stands for every resource. */
export type Grants = ReadonlyMap<string, ReadonlySet<string>>

/** Reads every scope claim of a token; `undefined` when the token has no scope claim at all. */
export function readGrants(claims: Readonly<Record<string, unknown>>): Grants | undefined {
  const present = SCOPE_CLAIMS.filter((name) => claims[name] !== undefined)

  if (present.length === 0) return undefined

  const grants = new Map<string, Set<string>>()

  for (const name of present) collect(claims[name], grants)

  return grants
}

/** Grants built from plain `resource:action` strings (a client's registered scopes). */
export function grantsOf(scopes: readonly string[]): Grants {
  const grants = new Map<string, Set<string>>()

  collect([...scopes], grants)

  return grants
}

export function allows(grants: Grants, resource: string, action: string): boolean {
  return Boolean(grants.get(resource)?.has(action) || grants.get('*')?.has(action))
}

function collect(value: unknown, grants: Map<string, Set<string>>): void {
  if (typeof value === 'string') {
    for (const word of value.split(/[\s,]+/)) addScope(word, grants)
  } else if (Array.isArray(value)) {
    for (const item of value) if (typeof item === 'string') collect(item, grants)
  } else if (value !== null && typeof value === 'object') {
    collectMap(value as Record<string, unknown>, grants)
  }
}

// `{ users: { actions: ['read'] } }`, `{ users: ['read'] }`, `{ users: 'read write' }`.
function collectMap(map: Record<string, unknown>, grants: Map<string, Set<string>>): void {
  for (const [resource, entry] of Object.entries(map)) {
    const actions = isRecord(entry) ? entry.actions : entry
    const words =
      typeof actions === 'string' ? actions.split(/[\s,]+/) : Array.isArray(actions) ? actions : []

    for (const word of words) {
      if (typeof word === 'string') grant(resource.toLowerCase(), word.toLowerCase(), grants)
    }
  }
}

// Accepts `resource:action`, `action:resource`, `Resource.Action`, a bare resource
// (all actions) and `*`.
function addScope(raw: string, grants: Map<string, Set<string>>): void {
  const word = raw.trim().toLowerCase()

  if (word === '') return

  const [first = '', second] = word.split(/[:.]/)

  if (second === undefined) {
    if (ACTION_WORDS[first]) grant('*', first, grants)
    else grant(first, '*', grants)
  } else if (!ACTION_WORDS[second] && ACTION_WORDS[first]) {
    grant(second, first, grants)
  } else {
    grant(first, second, grants)
  }
}

function grant(resource: string, action: string, grants: Map<string, Set<string>>): void {
  const actions = ACTION_WORDS[action] ?? []
  const set = grants.get(resource) ?? new Set<string>()

  for (const one of actions) set.add(one)
  grants.set(resource, set)
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
}
