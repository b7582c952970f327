import { errorReply, parseJson, type Reply } from '../http-io.js'
import { type Rule, USERS } from '../sample-data.js'
import { idParam, page } from './paging.js'
import type { Route, RouteContext } from './route.js'

function users(context: RouteContext): Reply {
  return page(USERS, context.query)
}

function userById(context: RouteContext): Reply {
  const id = idParam(context.params.id)
  const user = USERS.find((one) => one.id === id)

  return user === undefined ? errorReply(404, 'User not found') : { status: 200, body: user }
}

function rules(context: RouteContext): Reply {
  return page(context.rules.list(context.clientId), context.query)
}

function ruleById(context: RouteContext): Reply {
  const rule = findRule(context)

  return rule === undefined ? errorReply(404, 'Rule not found') : { status: 200, body: rule }
}

function createRule(context: RouteContext): Reply {
  const fields = readRuleFields(context.body)

  if (!isFields(fields)) return fields

  const rule = context.rules.create(context.clientId, fields)

  return { status: 201, body: rule, headers: { Location: `/rules/${rule.id}` } }
}

// PUT replaces the rule; PATCH keeps the fields the body leaves out.
function updateRule(context: RouteContext): Reply {
  const existing = findRule(context)

  if (existing === undefined) return errorReply(404, 'Rule not found')

  const base = context.method === 'PATCH' ? existing : undefined
  const fields = readRuleFields(context.body, base)

  if (!isFields(fields)) return fields

  const rule = { id: existing.id, ...fields }

  context.rules.replace(context.clientId, rule)

  return { status: 200, body: rule }
}

function deleteRule(context: RouteContext): Reply {
  const id = idParam(context.params.id)

  if (id === undefined || !context.rules.delete(context.clientId, id)) {
    return errorReply(404, 'Rule not found')
  }

  return { status: 204 }
}

function findRule(context: RouteContext): Rule | undefined {
  const id = idParam(context.params.id)

  return id === undefined ? undefined : context.rules.get(context.clientId, id)
}

type RuleFields = Omit<Rule, 'id'>

/** 400 for a body that is not a JSON object, 422 for one with invalid fields. */
function readRuleFields(body: string, base?: RuleFields): RuleFields | Reply {
  const parsed = parseJson(body)
  const value = parsed?.value

  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return errorReply(400, 'Body must be a JSON object')
  }

  const {
    name = base?.name,
    condition = base?.condition ?? '',
    enabled = base?.enabled ?? true,
  } = value as Record<string, unknown>
  const errors: Record<string, string> = {}

  if (typeof name !== 'string' || name.trim() === '') errors.name = 'Required, a non-empty string'
  if (typeof condition !== 'string') errors.condition = 'Must be a string'
  if (typeof enabled !== 'boolean') errors.enabled = 'Must be a boolean'

  if (Object.keys(errors).length > 0) return errorReply(422, 'Invalid rule', { errors })

  return { name: name as string, condition: condition as string, enabled: enabled as boolean }
}

function isFields(value: RuleFields | Reply): value is RuleFields {
  return !('status' in value)
}

export const usersRoutes: Route[] = [
  { method: 'GET', pattern: '/users', handle: users },
  { method: 'GET', pattern: '/users/:id', handle: userById },
].map((route) => ({ ...route, resource: 'users' as const }))

export const rulesRoutes: Route[] = [
  { method: 'GET', pattern: '/rules', handle: rules },
  { method: 'POST', pattern: '/rules', handle: createRule },
  { method: 'GET', pattern: '/rules/:id', handle: ruleById },
  { method: 'PUT', pattern: '/rules/:id', handle: updateRule },
  { method: 'PATCH', pattern: '/rules/:id', handle: updateRule },
  { method: 'DELETE', pattern: '/rules/:id', handle: deleteRule },
].map((route) => ({ ...route, resource: 'rules' as const }))
