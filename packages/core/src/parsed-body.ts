import { encodeForm } from './form-encoding.js'
import { jsonTypedText } from './json-typed-text.js'
import { LoyalError } from './loyal-error.js'
import {
  charsetOf,
  isJsonMediaType,
  labelledUtf8,
  mediaTypeOf,
  readsAsUtf8,
  withUtf8Charset,
} from './media-type.js'
import { isPlainObject } from './plain-object.js'
import type { IncomingHeaders } from './proxy-headers.js'

/** A body the proxy sends upstream, with the content type it must go under. */
export interface UpstreamBody {
  body: BodyInit | undefined
  /** Replaces the browser's `Content-Type` when set: the body is no longer as it came. */
  contentType?: string
  /** The browser's `Content-Encoding`, set only for its own bytes sent on unchanged. */
  contentEncoding?: string
}

/** What an adapter can tell of how a parser made the body it hands over. */
export interface ParseTrace {
  /**
   * `true` when the parser marked a real parse (body-parser 1's `req._body`); `false` when the
   * parser marks every parse (@koa/bodyparser's `rawBody`) and this body has no mark, so a `{}`
   * is the placeholder it leaves for a type it skipped. Unknown otherwise.
   */
  marked?: boolean
  /** The text the parser decoded the body to, where it keeps it (@koa/bodyparser's `rawBody`). */
  rawText?: string
  /** The parser decodes every charset as UTF-8 (co-body), garbling text in any other. */
  utf8Only?: boolean
}

/** The call a parsed body belongs to, named in the error when it cannot be sent. */
export interface BodySite {
  method: string
  /** Path under the API; a query is cut before it reaches an error. */
  path: string
}

const formType = 'application/x-www-form-urlencoded'
const jsonType = 'application/json'

/**
 * What goes upstream for a body a parser has already read, so that it always matches the
 * content type sent with it: bytes and text as read (text relabelled UTF-8, which `fetch` sends
 * it as), an object as a form again under a form type and as JSON under any other (labelled
 * `application/json` unless already a JSON type). Every byte the parser did not keep is gone,
 * so what cannot be rebuilt faithfully (nested form fields, multipart, a body read and dropped,
 * a value with no JSON form) throws a `config` LoyalError whose fix is mounting the proxy before
 * the parser. Messages name the method and path only, never a query or a value of the body.
 */
export function parsedBodyUpstream(
  parsed: unknown,
  headers: IncomingHeaders,
  site: BodySite,
  trace: ParseTrace = {}
): UpstreamBody {
  // Parsers make `{}` of an empty body; the browser sent nothing, and nothing is what goes.
  if (headers['content-length'] === '0') return { body: undefined }

  const contentType = singleValue(headers['content-type'])

  if (parsed === undefined || isPlaceholder(parsed, contentType, trace)) {
    if (!announcesBody(headers)) return { body: undefined }

    throw unforwardable(site, 'an earlier middleware read the body and left none')
  }

  if (parsed instanceof Uint8Array) return { body: new Uint8Array(parsed) }

  if (trace.utf8Only && !declaredUtf8(contentType)) {
    throw unforwardable(site, 'the parser decoded a body of another charset as UTF-8')
  }

  if (typeof parsed === 'string') return textBody(parsed, contentType, { headers, site, trace })

  return encodedBody(parsed, contentType, site)
}

// Express 4's parsers set `req.body = {}` on every request, @koa/bodyparser for every type it
// skips: an unmarked `{}` is no parse. Unknown marks (body-parser 2 leaves none, and sets only
// what it parsed) keep `{}` under a JSON type, which is what a JSON parser makes of `{}`.
function isPlaceholder(parsed: unknown, contentType: string | undefined, trace: ParseTrace) {
  if (trace.marked === true || !isEmptyObject(parsed)) return false

  if (trace.marked === false || contentType === undefined) return true

  return !isJsonMediaType(mediaTypeOf(contentType))
}

function isEmptyObject(value: unknown): boolean {
  return isPlainObject(value) && Object.keys(value).length === 0
}

function declaredUtf8(contentType: string | undefined): boolean {
  const charset = contentType === undefined ? undefined : charsetOf(contentType)

  return charset === undefined || readsAsUtf8(charset)
}

// A length or chunks: the browser sent a body, so having none to send means it was lost.
function announcesBody(headers: IncomingHeaders): boolean {
  return headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined
}

interface TextSource {
  headers: IncomingHeaders
  site: BodySite
  trace: ParseTrace
}

function textBody(text: string, contentType: string | undefined, source: TextSource): UpstreamBody {
  // Without a type `fetch` labels a string `text/plain;charset=UTF-8` itself.
  if (contentType === undefined) return { body: text }

  const type = mediaTypeOf(contentType)

  // A form's text is ASCII; its charset names what the %-escapes stand for, which stay as sent.
  if (type === formType) return { body: text }

  // JSON is UTF-8 whether labelled so or not; any other text says so, since it may have been
  // decoded from a default charset the browser never named.
  if (!isJsonMediaType(type)) return { body: text, contentType: labelledUtf8(contentType) }

  const body = jsonTypedText(text, source.headers, source.trace.rawText)

  if (body === undefined) {
    throw unforwardable(source.site, 'a string under a JSON type may be its text or its value')
  }

  return { body, contentType: withUtf8Charset(contentType) }
}

function encodedBody(
  value: unknown,
  contentType: string | undefined,
  site: BodySite
): UpstreamBody {
  const type = contentType === undefined ? '' : mediaTypeOf(contentType)

  if (type === formType) return formBody(value, contentType as string, site)

  if (type.startsWith('multipart/')) {
    throw unforwardable(site, 'a multipart body cannot be rebuilt from parsed fields')
  }

  const body = jsonText(value)

  if (body === undefined) {
    throw unforwardable(site, 'the parsed body has no JSON form')
  }

  const sentType = isJsonMediaType(type) ? withUtf8Charset(contentType as string) : jsonType

  return { body, contentType: sentType }
}

function formBody(fields: unknown, contentType: string, site: BodySite): UpstreamBody {
  const body = encodeForm(fields)

  if (body === undefined) {
    throw unforwardable(site, 'a form parsed into nested objects (qs, extended: true) or non-text')
  }

  return { body, contentType: withUtf8Charset(contentType) }
}

function jsonText(value: unknown): string | undefined {
  const shaped =
    value === null ||
    Array.isArray(value) ||
    isPlainObject(value) ||
    typeof value === 'number' ||
    typeof value === 'boolean'

  if (!shaped) return undefined

  try {
    return JSON.stringify(value)
  } catch {
    // A cycle or a BigInt somewhere inside; its message may quote property names.
    return undefined
  }
}

function singleValue(value: string | readonly string[] | undefined): string | undefined {
  return value === undefined || typeof value === 'string' ? value : value.join(', ')
}

function unforwardable(site: BodySite, why: string): LoyalError {
  const path = site.path.split('?', 1)[0]!

  return new LoyalError(
    'config',
    `The Loyal proxy cannot forward ${site.method} ${path}: ${why}; mount it before the body parser`,
    { method: site.method, path }
  )
}
