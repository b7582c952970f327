import type { ServerResponse } from 'node:http'
import { delayOrHang, echoReply, statusReply, withFaultHeaders } from './fault-replies.js'
import { errorReply, type Reply } from './http-io.js'
import type { RecordedRequest } from './recorder.js'
import { actionOf, type Route } from './routes/route.js'
import { matchRoute } from './routes/router.js'
import { allows, grantsOf, readGrants } from './scope-grants.js'
import { answer, type ServerContext } from './server-context.js'
import type { Verdict } from './token-authority.js'

type Caller = { clientId: string }

const INVALID_TOKEN: Record<Exclude<Verdict, { ok: true }>['reason'], string> = {
  malformed: 'The token is malformed',
  signature: 'The token signature is invalid',
  expired: 'The token expired',
  revoked: 'The token was revoked',
}

/** Every request but the token one: route faults, then routing, authentication, scopes. */
export async function handleApiRequest(
  context: ServerContext,
  res: ServerResponse,
  record: RecordedRequest,
  query: URLSearchParams
): Promise<void> {
  context.counters.apiRequests += 1

  const fault = context.faults.takeRoute(record.method, record.path)

  if (fault !== undefined) {
    context.counters.faulted += 1
    if (await delayOrHang(context, res, fault)) return
    if (fault.echo) return answer(context, res, record, echoReply(record, fault.status))
    if (fault.status !== undefined) return answer(context, res, record, statusReply(fault))
  }

  // A fault with headers but no status adds them to the normal answer.
  answer(context, res, record, withFaultHeaders(await route(context, record, query), fault))
}

async function route(
  context: ServerContext,
  record: RecordedRequest,
  query: URLSearchParams
): Promise<Reply> {
  const match = matchRoute(record.method, record.path)

  if (match.kind === 'none') return errorReply(404, 'Not found')
  if (match.kind === 'wrong-method') {
    return { ...errorReply(405), headers: { Allow: match.allowed.join(', ') } }
  }

  const caller = await authorize(context, record, match.route)

  if (!('clientId' in caller)) return caller

  return match.route.handle({
    method: record.method,
    path: record.path,
    params: match.params,
    query,
    body: record.body ?? '',
    clientId: caller.clientId,
    rules: context.rules,
    request: record,
  })
}

/** 401 without a valid bearer token; 403 when its scopes do not cover the route. */
async function authorize(
  context: ServerContext,
  record: RecordedRequest,
  route: Route
): Promise<Caller | Reply> {
  if (route.resource === undefined) return { clientId: '' }

  const token = bearerOf(record)

  if (token === undefined) return unauthorized()

  const verdict = await context.authority.verify(token, context.serverNow())

  if (!verdict.ok) return unauthorized(INVALID_TOKEN[verdict.reason])

  const required = `${route.resource}:${route.action ?? actionOf(record.method)}`

  if (context.settings.enforceScopes && !scopeAllows(context, verdict, required)) {
    return forbidden(required)
  }

  return { clientId: verdict.clientId ?? '' }
}

// Exactly one `Authorization: Bearer <token>`; a repeated header is refused.
function bearerOf(record: RecordedRequest): string | undefined {
  if (record.authorization.length !== 1) return undefined

  return /^Bearer\s+(\S+)\s*$/i.exec(record.authorization[0] ?? '')?.[1]
}

// A token without any scope claim (like the published example) is judged by the scopes
// the server has on file for its client; an unknown client is let through.
function scopeAllows(
  context: ServerContext,
  verdict: Extract<Verdict, { ok: true }>,
  required: string
): boolean {
  const client = verdict.clientId === undefined ? undefined : context.clients.byId(verdict.clientId)
  const grants = readGrants(verdict.claims) ?? (client && grantsOf(client.scopes))

  if (grants === undefined) return true

  const [resource = '', action = ''] = required.split(':')

  return allows(grants, resource, action)
}

function unauthorized(description?: string): Reply {
  const challenge =
    description === undefined
      ? 'Bearer'
      : `Bearer error="invalid_token", error_description="${description}"`

  return { ...errorReply(401, 'Unauthorized'), headers: { 'WWW-Authenticate': challenge } }
}

function forbidden(required: string): Reply {
  return {
    ...errorReply(403, `Insufficient scope: "${required}" is required`, { required }),
    headers: { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="${required}"` },
  }
}
