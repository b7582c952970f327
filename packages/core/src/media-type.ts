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

/** The charset a `Content-Type` names, lower-cased and unquoted; `undefined` when it names none. */
export function charsetOf(contentType: string): string | undefined {
  const match = charsetParam.exec(contentType)

  return match === null ? undefined : match[2]!.replace(/"/g, '').toLowerCase()
}

/** Whether `charset` is UTF-8 or its subset US-ASCII: text in it reads the same as UTF-8. */
export function readsAsUtf8(charset: string): boolean {
  return utf8.test(charset) || charset === 'us-ascii'
}

/** `contentType` saying `charset=utf-8`: another charset replaced, a missing one added. */
export function labelledUtf8(contentType: string): string {
  return charsetParam.test(contentType)
    ? withUtf8Charset(contentType)
    : `${contentType}; charset=utf-8`
}
