import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http'

/** What a route or a fault answers. `body` is sent as JSON; `text` as is. */
export interface Reply {
  status: number
  body?: unknown
  text?: string
  headers?: Readonly<Record<string, string>>
}

const MAX_BODY = 1_000_000

/** Reads the request body as text; stops reading (and keeps what came) past 1 MB. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  let size = 0

  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size > MAX_BODY) break
    chunks.push(chunk)
  }

  return Buffer.concat(chunks).toString('utf8')
}

/** Writes a reply with the API's clock in the `Date` header. */
export function send(res: ServerResponse, reply: Reply, serverNow: number): void {
  if (res.destroyed || res.headersSent) return

  res.statusCode = reply.status
  res.setHeader('Date', new Date(serverNow).toUTCString())

  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value)

  const payload = payloadOf(reply)

  if (payload !== undefined && !res.hasHeader('Content-Type')) {
    res.setHeader('Content-Type', 'application/json; charset=utf-8')
  }

  res.end(payload)
}

function payloadOf(reply: Reply): string | undefined {
  if (reply.text !== undefined) return reply.text
  if (reply.body === undefined || reply.status === 204) return undefined

  return JSON.stringify(reply.body)
}

/** `{ message }` body for a status, with the standard reason phrase unless one is given. */
export function errorReply(
  status: number,
  message?: string,
  extra?: Record<string, unknown>
): Reply {
  return { status, body: { message: message ?? defaultMessage(status), ...extra } }
}

function defaultMessage(status: number): string {
  if (status === 530) return 'The Loyal API is temporarily unavailable.'

  return STATUS_CODES[status] ?? `Status ${status}`
}

/** Parses a JSON body; `undefined` when it is empty or not JSON. */
export function parseJson(text: string): { value: unknown } | undefined {
  if (text.trim() === '') return undefined

  try {
    return { value: JSON.parse(text) }
  } catch {
    return undefined
  }
}
