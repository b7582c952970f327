import { compilePattern } from '../faults.js'
import { empowerRoutes } from './empower-routes.js'
import type { Route } from './route.js'
import { rulesRoutes, usersRoutes } from './users-rules-routes.js'
import { utilityRoutes } from './utility-routes.js'

export type RouteMatch =
  | { kind: 'found'; route: Route; params: Record<string, string> }
  | { kind: 'wrong-method'; allowed: string[] }
  | { kind: 'none' }

interface CompiledRoute {
  route: Route
  regexp: RegExp
}

const compiled: CompiledRoute[] = [
  ...empowerRoutes,
  ...usersRoutes,
  ...rulesRoutes,
  ...utilityRoutes,
].map((route) => ({ route, regexp: compilePattern(route.pattern) }))

/** Finds the route of a request; HEAD is served by the GET route. */
export function matchRoute(method: string, path: string): RouteMatch {
  const wanted = method === 'HEAD' ? 'GET' : method
  const allowed: string[] = []

  for (const { route, regexp } of compiled) {
    const match = regexp.exec(path)

    if (match === null) continue
    if (route.method === wanted) {
      return { kind: 'found', route, params: decodeParams(match.groups ?? {}) }
    }

    allowed.push(route.method)
  }

  return allowed.length > 0 ? { kind: 'wrong-method', allowed } : { kind: 'none' }
}

function decodeParams(groups: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(groups).map(([name, value]) => [name, safeDecode(value)])
  )
}

function safeDecode(value: string): string {
  try {
    return decodeURIComponent(value)
  } catch {
    return value
  }
}
