import type { ServerResponse } from 'node:http'
import {
  delayOrHang,
  echoReply,
  malformedReply,
  statusReply,
  withFaultHeaders,
} from './fault-replies.js'
import type { TokenFault } from './faults.js'
import { errorReply, type Reply } from './http-io.js'
import type { RecordedRequest } from './recorder.js'
import { answer, type ServerContext } from './server-context.js'
import { planToken } from './token-authority.js'
import type { IssueTokenOptions, LoyalApiClient } from './types.js'

const NO_STORE = { 'Cache-Control': 'no-store' }

/** `POST /auth/client/token` with `Authorization: ApiKey <key>`. */
export async function handleTokenRequest(
  context: ServerContext,
  res: ServerResponse,
  record: RecordedRequest
): Promise<void> {
  context.counters.tokenRequests += 1

  const fault = context.faults.takeToken()

  if (fault !== undefined) {
    context.counters.faulted += 1
    if (await delayOrHang(context, res, fault)) return
  }

  const reply =
    (fault && faultReply(fault, record)) ??
    withFaultHeaders(await normalReply(context, record, fault), fault)

  answer(context, res, record, reply)
}

function faultReply(fault: TokenFault, record: RecordedRequest): Reply | undefined {
  if (fault.echo) return echoReply(record, fault.status)
  if (fault.malformed !== undefined) return malformedReply(fault.malformed)
  if (fault.authenticated === false) return { status: 200, body: { authenticated: false } }
  if (fault.status !== undefined) return statusReply(fault)

  return undefined
}

async function normalReply(
  context: ServerContext,
  record: RecordedRequest,
  fault: TokenFault | undefined
): Promise<Reply> {
  if (record.method !== 'POST') {
    return { ...errorReply(405), headers: { Allow: 'POST' } }
  }

  const client = clientOf(context, record)

  if (client === undefined) return rejectKey(context)

  const token = await issue(context, client, fault?.token ?? {})

  context.counters.tokensIssued += 1

  return { status: 200, body: tokenBody(context, true, token), headers: NO_STORE }
}

/** Reads `Authorization: ApiKey <key>` (scheme case-insensitive) and finds the client. */
function clientOf(context: ServerContext, record: RecordedRequest): LoyalApiClient | undefined {
  if (record.authorization.length !== 1) return undefined

  const match = /^ApiKey\s+(\S+)\s*$/i.exec(record.authorization[0] ?? '')

  return match?.[1] === undefined ? undefined : context.clients.byKey(match[1])
}

function rejectKey(context: ServerContext): Reply {
  const status = context.settings.invalidKeyStatus

  if (status === 200) return { status, body: tokenBody(context, false, null) }

  return errorReply(status, 'Invalid API key')
}

function tokenBody(
  context: ServerContext,
  authenticated: boolean,
  token: string | null
): Record<string, unknown> {
  if (context.settings.responseCase === 'pascal') {
    return { Authenticated: authenticated, Token: token }
  }

  return { authenticated, token }
}

export function issue(
  context: ServerContext,
  client: LoyalApiClient,
  options: IssueTokenOptions
): Promise<string> {
  const plan = planToken(options, client, context.settings, context.serverNow())

  return context.authority.mint(plan)
}
