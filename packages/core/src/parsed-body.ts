import { encodeForm } from './form-encoding.js'
import { LoyalError } from './loyal-error.js'
import { isJsonMediaType, mediaTypeOf, withUtf8Charset } from './media-type.js'
import { isPlainObject } from './plain-object.js'
import type { IncomingHeaders } from './proxy-headers.js'

/** A body the proxy sends upstream, with the content type it must go under. */
export interface UpstreamBody {
  body: BodyInit | undefined
  /** Replaces the browser's `Content-Type` when set: the body is no longer as it came. */
  contentType?: string
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
  site: BodySite
): UpstreamBody {
  // Parsers make `{}` of an empty body; the browser sent nothing, and nothing is what goes.
  if (headers['content-length'] === '0') return { body: undefined }

  if (parsed === undefined) {
    if (!announcesBody(headers)) return { body: undefined }

    throw unforwardable(site, 'an earlier middleware read the body and left none')
  }

  if (parsed instanceof Uint8Array) return { body: new Uint8Array(parsed) }

  const contentType = singleValue(headers['content-type'])

  if (typeof parsed === 'string') return textBody(parsed, contentType)

  return encodedBody(parsed, contentType, site)
}

// A length or chunks: the browser sent a body, so having none to send means it was lost.
function announcesBody(headers: IncomingHeaders): boolean {
  return headers['content-length'] !== undefined || headers['transfer-encoding'] !== undefined
}

function textBody(text: string, contentType: string | undefined): UpstreamBody {
  // Without a type `fetch` labels a string `text/plain;charset=UTF-8` itself.
  if (contentType === undefined) return { body: text }

  const type = mediaTypeOf(contentType)

  // A form's text is ASCII; its charset names what the %-escapes stand for, which stay as sent.
  if (type === formType) return { body: text }

  // A string under a JSON type is the text a text parser kept, or a string value a non-strict
  // JSON parser made of `"..."`; only the first is JSON already.
  if (isJsonMediaType(type) && !isJsonText(text)) {
    return { body: JSON.stringify(text), contentType: withUtf8Charset(contentType) }
  }

  return { body: text, contentType: withUtf8Charset(contentType) }
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

function isJsonText(text: string): boolean {
  try {
    JSON.parse(text)

    return true
  } catch {
    return false
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
