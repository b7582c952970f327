/**
 * One scope written in any of the notations loyal-auth understands, reduced to a resource and
 * the actions it names. `*` stands for every resource or every action.
 */
export interface ScopeRule {
  readonly resource: string
  readonly actions: readonly string[]
}

/** Marks every resource or every action. */
export const WILDCARD = '*'

// Words that name an action, so `read:users` can be told apart from `users:read`. An action not
// listed here still works in the `resource:action` orientation (`users:impersonate`).
const actionAliases: Readonly<Record<string, readonly string[]>> = {
  read: ['read'],
  write: ['write'],
  readwrite: ['read', 'write'],
  'read-write': ['read', 'write'],
  read_write: ['read', 'write'],
  rw: ['read', 'write'],
  readonly: ['read'],
  read_only: ['read'],
  create: ['create'],
  update: ['update'],
  delete: ['delete'],
  list: ['list'],
  manage: ['manage'],
}

/**
 * The actions an action word stands for: `readwrite` and `rw` mean both `read` and `write`;
 * any other word stands for itself, lower-cased.
 *
 * @example
 * expandAction('ReadWrite') // ['read', 'write']
 */
export function expandAction(action: string): readonly string[] {
  const word = action.trim().toLowerCase()

  return actionAliases[word] ?? [word]
}

/**
 * Reads one scope string: `resource:action`, `action:resource` (`read:users`),
 * `resource.action` (`Rules.ReadWrite`, `User.Read.All`), wildcards (`*`, `users:*`, `*:read`,
 * `read:*`) and a bare action (`read` = read on every resource), case-insensitively. A URI
 * prefix (`api://loyal/users.read`) is ignored. Returns `undefined` for a word with no
 * structure (`openid`), which then only matches itself.
 *
 * @example
 * parseScopeRule('read:users') // { resource: 'users', actions: ['read'] }
 * parseScopeRule('Rules.ReadWrite') // { resource: 'rules', actions: ['read', 'write'] }
 */
export function parseScopeRule(scope: string): ScopeRule | undefined {
  const text = stripUriPrefix(scope.trim().toLowerCase())

  if (text === '') return undefined
  if (text.includes(':')) return fromPair(lastTwo(text.split(':')))
  if (text.includes('.')) return fromDotted(text.split('.'))

  return isActionWord(text) || text === WILDCARD ? rule(WILDCARD, text) : undefined
}

function stripUriPrefix(text: string): string {
  return text.includes('://') ? text.slice(text.lastIndexOf('/') + 1) : text
}

// `loyal:users:read` is read as `users:read`: a namespace prefix changes nothing here.
function lastTwo(parts: readonly string[]): readonly string[] {
  return parts.length > 2 ? parts.slice(-2) : parts
}

// Graph-style `User.Read.All`: the qualifier after the action is ignored.
function fromDotted(parts: readonly string[]): ScopeRule | undefined {
  if (parts.length === 2) return fromPair(parts)
  if (parts.length > 2 && isActionWord(parts[1] ?? '')) return fromPair(parts.slice(0, 2))

  return undefined
}

function fromPair([first = '', second = '']: readonly string[]): ScopeRule | undefined {
  if (first === '' || second === '') return undefined
  if (isActionWord(first) && !isActionWord(second)) return rule(second, first)

  return rule(first, second)
}

function rule(resource: string, action: string): ScopeRule {
  return { resource, actions: expandAction(action) }
}

function isActionWord(word: string): boolean {
  return Object.hasOwn(actionAliases, word)
}
