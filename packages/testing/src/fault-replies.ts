import type { ServerResponse } from 'node:http'
import type { RouteFault, TokenFault } from './faults.js'
import { errorReply, type Reply } from './http-io.js'
import { headerMap, type RecordedRequest } from './recorder.js'
import type { ServerContext } from './server-context.js'

/**
 * Waits out a fault's delay, then holds the response open if the fault hangs.
 * Returns `true` when the request is left hanging.
 */
export async function delayOrHang(
  context: ServerContext,
  res: ServerResponse,
  fault: TokenFault | RouteFault
): Promise<boolean> {
  if (fault.delay !== undefined && fault.delay > 0) await context.lifecycle.sleep(fault.delay)
  if (!fault.hang) return false

  context.lifecycle.hold(res)

  return true
}

/** The answer a fault with a `status` gives: its body, or `{ message }`, plus `Retry-After`. */
export function statusReply(fault: TokenFault | RouteFault, status = fault.status ?? 500): Reply {
  const reply =
    typeof fault.body === 'string'
      ? { status, text: fault.body }
      : fault.body === undefined
        ? errorReply(status)
        : { status, body: fault.body }

  return { ...reply, headers: faultHeaders(fault) }
}

/**
 * A normal answer with a fault's `headers` (and `Retry-After`) added: what a fault that sets
 * headers but no `status` does.
 */
export function withFaultHeaders(reply: Reply, fault: TokenFault | RouteFault | undefined): Reply {
  if (fault === undefined) return reply

  const headers = faultHeaders(fault)

  if (Object.keys(headers).length === 0) return reply

  return { ...reply, headers: { ...reply.headers, ...headers } }
}

function faultHeaders(fault: TokenFault | RouteFault): Record<string, string> {
  const headers: Record<string, string> = { ...fault.headers }

  if (fault.retryAfter instanceof Date) headers['Retry-After'] = fault.retryAfter.toUTCString()
  else if (fault.retryAfter !== undefined) headers['Retry-After'] = String(fault.retryAfter)

  return headers
}

/**
 * A 500 that gives away the request it got, `Authorization` included, the way some
 * frameworks' debug error pages do: clients must keep such bodies out of their errors.
 */
export function echoReply(record: RecordedRequest, status = 500): Reply {
  const headers = Object.fromEntries(
    [...headerMap(record.rawHeaders)].map(([name, values]) => [name, values.join(', ')])
  )

  return {
    status,
    body: {
      message: `Unhandled exception while serving ${record.method} ${record.path}`,
      request: { method: record.method, url: record.url, headers },
    },
  }
}

/** The broken token response bodies. */
export function malformedReply(kind: NonNullable<TokenFault['malformed']>): Reply {
  switch (kind) {
    case 'not-json':
      return {
        status: 200,
        text: '<html><body>Service temporarily unavailable</body></html>',
        headers: { 'Content-Type': 'text/html' },
      }
    case 'empty':
      return { status: 200, text: '' }
    case 'no-token':
      return { status: 200, body: { authenticated: true } }
    case 'not-jwt':
      return { status: 200, body: { authenticated: true, token: 'not-a-jwt' } }
    case 'bad-claims':
      return {
        status: 200,
        body: { authenticated: true, token: 'eyJhbGciOiJIUzI1NiJ9.bm9wZQ.c2ln' },
      }
  }
}
