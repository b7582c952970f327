import type { Reply } from '../http-io.js'
import type { RecordedRequest } from '../recorder.js'
import type { RulesStore } from '../rules-store.js'

/** The resources scopes are about. */
export type Resource = 'empower' | 'users' | 'rules'

/** What a route handler gets. */
export interface RouteContext {
  method: string
  path: string
  params: Readonly<Record<string, string>>
  query: URLSearchParams
  body: string
  /** Tenant of the bearer token (`ClientId`), `''` on public routes. */
  clientId: string
  rules: RulesStore
  request: RecordedRequest
}

export interface Route {
  method: string
  pattern: string
  /** The resource whose scope the route needs; `undefined` for a public route. */
  resource: Resource | undefined
  /** Overrides the action the method implies (the POST `.../totals` queries only read). */
  action?: 'read' | 'write'
  handle(context: RouteContext): Reply
}

/** GET reads; every other method writes. */
export function actionOf(method: string): 'read' | 'write' {
  return method === 'GET' || method === 'HEAD' ? 'read' : 'write'
}
