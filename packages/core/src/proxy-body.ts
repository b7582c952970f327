import type { ProxyRequest } from './api-proxy.js'
import { type BodySite, parsedBodyUpstream, type UpstreamBody } from './parsed-body.js'

/** What {@link readProxyBody} gives for a body over the limit. */
export const tooLarge = Symbol('tooLarge')

/**
 * The body the proxy sends upstream for `request`: the unread stream buffered up to `limit`
 * bytes (`tooLarge` past it), or a parser's result encoded to match its content type.
 *
 * @throws LoyalError `config` for a parsed body that cannot be sent on faithfully.
 */
export async function readProxyBody(
  request: ProxyRequest,
  limit: number,
  site: BodySite
): Promise<UpstreamBody | typeof tooLarge> {
  if (hasParsedBody(request)) return parsedWithin(request, limit, site)

  if (request.body === undefined) return { body: undefined }

  const declared = Number(request.headers['content-length'])

  if (declared > limit) return tooLarge

  const bytes = await buffered(request.body, limit)

  if (bytes === tooLarge) return tooLarge

  if (bytes === undefined) return { body: undefined }

  return { body: bytes, ...browserEncoding(request) }
}

// The limit holds for what goes upstream, however the body was read.
function parsedWithin(
  request: ProxyRequest,
  limit: number,
  site: BodySite
): UpstreamBody | typeof tooLarge {
  const { headers, parsedBody, parseTrace } = request
  const outgoing = parsedBodyUpstream(parsedBody, headers, site, parseTrace)

  return byteLength(outgoing.body) > limit ? tooLarge : outgoing
}

function byteLength(body: BodyInit | undefined): number {
  if (typeof body === 'string') return new TextEncoder().encode(body).byteLength

  return body instanceof Uint8Array ? body.byteLength : 0
}

// The browser's own bytes still are in its encoding (gzip, ...), so its label goes with them.
function browserEncoding(request: ProxyRequest): { contentEncoding?: string } {
  const encoding = request.headers['content-encoding']

  if (encoding === undefined) return {}

  return { contentEncoding: typeof encoding === 'string' ? encoding : encoding.join(', ') }
}

async function buffered(
  body: AsyncIterable<Uint8Array>,
  limit: number
): Promise<Uint8Array<ArrayBuffer> | undefined | typeof tooLarge> {
  // Buffered, not streamed: `auth.fetch` must be able to send the body again after a 401.
  const chunks: Uint8Array[] = []
  let size = 0

  for await (const chunk of body) {
    size += chunk.byteLength

    if (size > limit) return tooLarge

    chunks.push(chunk)
  }

  return size === 0 ? undefined : concat(chunks, size)
}

// An adapter passes `parsedBody: undefined` when something read the stream and left no body.
function hasParsedBody(request: ProxyRequest): boolean {
  return request.parsedBody !== undefined || (request.body === undefined && 'parsedBody' in request)
}

function concat(chunks: readonly Uint8Array[], size: number): Uint8Array<ArrayBuffer> {
  const result = new Uint8Array(size)
  let offset = 0

  for (const chunk of chunks) {
    result.set(chunk, offset)
    offset += chunk.byteLength
  }

  return result
}
