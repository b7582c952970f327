import { charsetOf, readsAsUtf8 } from './media-type.js'
import type { IncomingHeaders } from './proxy-headers.js'

/**
 * The JSON to send for a string a parser left under a JSON type, or `undefined` when it cannot
 * be told what the browser sent. The string is either the text a text parser kept (sent as it
 * is, even malformed) or the value a non-strict JSON parser made of `"..."` (sent as that JSON
 * string): `"123"` and `123` differ, so a guess would change the data. The parser's raw text
 * settles it where kept (`rawText`). Otherwise the declared length does: kept text is exactly
 * as long as the body (in UTF-8, or in Latin-1 as a text parser's default charset), a JSON
 * string at least its two quotes longer. A compressed, chunked or non-UTF-8 body gives no such
 * measure.
 */
export function jsonTypedText(
  text: string,
  headers: IncomingHeaders,
  rawText: string | undefined
): string | undefined {
  if (rawText !== undefined) return rawText

  const length = measurableLength(headers)

  if (length === undefined) return undefined

  const bytes = new TextEncoder().encode(text).byteLength

  if (length === bytes || (length === text.length && isLatin1(text))) return text

  return length >= bytes + 2 ? JSON.stringify(text) : undefined
}

// The browser's byte count of the text itself, where the headers give one.
function measurableLength(headers: IncomingHeaders): number | undefined {
  const encoding = headers['content-encoding']
  const type = headers['content-type']
  const charset = typeof type === 'string' ? charsetOf(type) : undefined
  const length = headers['content-length']

  if (encoding !== undefined && encoding !== 'identity') return undefined

  if (charset !== undefined && !readsAsUtf8(charset)) return undefined

  return typeof length === 'string' && /^\d+$/.test(length) ? Number(length) : undefined
}

function isLatin1(text: string): boolean {
  return !/[\u0100-\uffff]/.test(text)
}
