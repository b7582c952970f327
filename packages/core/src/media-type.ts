// `; charset=...` with its value, quoted or not; group 1 keeps the separator as written.
const charsetParam = /(;\s*)charset\s*=\s*("[^"]*"|[^;\s]*)/i
const utf8 = /^"?utf-?8"?$/i

/** The media type of a `Content-Type` value, lower-cased and without parameters. */
export function mediaTypeOf(contentType: string): string {
  const end = contentType.indexOf(';')

  return (end === -1 ? contentType : contentType.slice(0, end)).trim().toLowerCase()
}

/** `application/json` and the `+json` types (`application/vnd.api+json`, ...). */
export function isJsonMediaType(type: string): boolean {
  return type === 'application/json' || type.endsWith('+json')
}

/**
 * `contentType` with any charset other than UTF-8 replaced by UTF-8. Text a parser decoded
 * leaves as UTF-8 (all `fetch` sends a string as), so a charset the browser named no longer
 * describes it.
 */
export function withUtf8Charset(contentType: string): string {
  const match = charsetParam.exec(contentType)

  if (match === null || utf8.test(match[2]!)) return contentType

  return contentType.replace(charsetParam, '$1charset=utf-8')
}
