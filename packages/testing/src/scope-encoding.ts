import type { ScopeEncoding } from './types.js'

/** The Microsoft scope claim URI, one of the places a .NET API may put scopes. */
export const MS_SCOPE_CLAIM = 'http://schemas.microsoft.com/identity/claims/scope'

/** Every encoding the server can issue, for tests that loop over them. */
export const SCOPE_ENCODINGS: readonly ScopeEncoding[] = [
  'space',
  'array',
  'comma',
  'scope',
  'scp',
  'map',
  'dotted',
  'ms-uri',
  'none',
]

interface ScopeParts {
  resource: string
  action: string
}

/** Writes `resource:action` scopes into the claim(s) of the chosen encoding. */
export function encodeScopes(
  scopes: readonly string[],
  encoding: ScopeEncoding
): Record<string, unknown> {
  switch (encoding) {
    case 'space':
      return { scopes: scopes.join(' ') }
    case 'array':
      return { scopes: [...scopes] }
    case 'comma':
      return { scopes: scopes.join(',') }
    case 'scope':
      return { scope: scopes.join(' ') }
    case 'scp':
      return { scp: scopes.join(' ') }
    case 'ms-uri':
      return { [MS_SCOPE_CLAIM]: scopes.join(' ') }
    case 'map':
      return { scopes: toActionMap(scopes) }
    case 'dotted':
      return { scopes: toDotted(scopes).join(' ') }
    case 'none':
      return {}
  }
}

function splitScope(scope: string): ScopeParts {
  const [resource = scope, action = '*'] = scope.split(':')

  return { resource, action }
}

function groupByResource(scopes: readonly string[]): Map<string, string[]> {
  const groups = new Map<string, string[]>()

  for (const scope of scopes) {
    const { resource, action } = splitScope(scope)
    const actions = groups.get(resource) ?? []

    if (!actions.includes(action)) actions.push(action)
    groups.set(resource, actions)
  }

  return groups
}

function toActionMap(scopes: readonly string[]): Record<string, { actions: string[] }> {
  const map: Record<string, { actions: string[] }> = {}

  for (const [resource, actions] of groupByResource(scopes)) {
    map[resource] = { actions }
  }

  return map
}

// `Rules.ReadWrite` style, as .NET policies often name permissions.
function toDotted(scopes: readonly string[]): string[] {
  return [...groupByResource(scopes)].map(([resource, actions]) => {
    return `${titleCase(resource)}.${dottedAction(actions)}`
  })
}

function dottedAction(actions: readonly string[]): string {
  const all = actions.includes('*')
  const read = all || actions.includes('read')
  const write = all || actions.includes('write')

  if (read && write) return 'ReadWrite'
  if (read) return 'Read'
  if (write) return 'Write'

  return actions.map(titleCase).join('')
}

function titleCase(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1)
}
