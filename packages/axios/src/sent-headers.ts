import { REDACTED } from '@loyal-auth/core'

/** Node's request object, or follow-redirects' around it, as far as they keep what was sent. */
interface SentRequest {
  _header?: unknown
  _currentRequest?: SentRequest
  _redirectable?: SentRequest
  _options?: { headers?: unknown }
}

// Node's own name for the map behind `getHeader()`; looked up once, by description, since
// Node does not export it.
let outHeadersKey: symbol | null | undefined

const authorizationLine = /^(authorization:[ \t]*)[^\r\n]*/gim

/**
 * Takes our bearer out of what Node keeps of a sent request (the raw header block `_header`
 * and the header map) and of the options follow-redirects keeps for the chain. axios (1.x)
 * leaves the last request of each pooled keep-alive socket referenced from that socket, so an
 * agent reached from anything handed back (a config's `httpAgent`, another host's response) led
 * to the bearer. Called once the API has answered, when neither needs it any more. Anything
 * that is not Node's request (fetch, XHR) is left alone.
 */
export function forgetSentBearer(request: unknown): void {
  const sent = request as SentRequest | null | undefined
  if (typeof sent !== 'object' || sent === null) return

  const chain = sent._redirectable ?? (sent._currentRequest === undefined ? undefined : sent)
  const native = sent._currentRequest ?? sent

  forgetInHeaderBlock(native)
  forgetInOptions(chain?._options?.headers)
}

function forgetInHeaderBlock(native: SentRequest): void {
  if (typeof native._header !== 'string') return

  native._header = native._header.replace(authorizationLine, `$1${REDACTED}`)

  const outHeaders = outHeadersOf(native)
  if (outHeaders?.authorization !== undefined) {
    outHeaders.authorization = [outHeaders.authorization[0], REDACTED]
  }
}

function forgetInOptions(headers: unknown): void {
  if (typeof headers !== 'object' || headers === null) return

  const bag = headers as Record<string, unknown>
  for (const name of Object.keys(bag)) {
    if (name.toLowerCase() === 'authorization') bag[name] = REDACTED
  }
}

// axios' own mark on a socket for the request using it (`Symbol('axios.http.currentReq')`,
// axios 1.13 and later), found by its description since axios does not export it.
let socketMarkKey: symbol | undefined

/**
 * Cuts the link from a keep-alive socket back to the API request that last used it. axios marks
 * each socket with its request and clears the mark on the request's `close`, which the
 * follow-redirects request it uses never emits: an idle socket in the agent's pool then led to
 * that request, bearer included, from anything that reaches the agent (a config's `httpAgent`,
 * another host's response). The cheap step for every answered API request; errors, which are
 * rare, also get {@link forgetSentBearer}.
 */
export function forgetSocketMark(request: unknown): void {
  const given = request as SentRequest | null | undefined
  // Node's request, also when given follow-redirects' around it (an error's `request`).
  const native = (given?._currentRequest ?? given) as
    | { socket?: unknown; _redirectable?: unknown }
    | null
    | undefined
  const socket = native?.socket
  if (typeof socket !== 'object' || socket === null) return

  socketMarkKey ??= markKeyOf(socket)
  if (socketMarkKey === undefined) return

  const marked = socket as Record<symbol, unknown>
  const holder = marked[socketMarkKey]
  if (holder !== undefined && (holder === native?._redirectable || holder === native)) {
    marked[socketMarkKey] = null
  }
}

// Sockets already looked through: an axios without the mark (before 1.13) costs one search
// per keep-alive socket, not one per request.
const searchedSockets = new WeakSet<object>()

function markKeyOf(socket: object): symbol | undefined {
  if (searchedSockets.has(socket)) return undefined

  searchedSockets.add(socket)

  return Object.getOwnPropertySymbols(socket).find(
    (symbol) => symbol.description === 'axios.http.currentReq'
  )
}

function outHeadersOf(native: object): Record<string, [string, unknown]> | undefined {
  if (outHeadersKey === undefined) {
    const symbols = Object.getOwnPropertySymbols(native)
    outHeadersKey = symbols.find((symbol) => symbol.description === 'kOutHeaders') ?? null
  }

  if (outHeadersKey === null) return undefined

  return (
    (native as Record<symbol, Record<string, [string, unknown]> | null>)[outHeadersKey] ?? undefined
  )
}
