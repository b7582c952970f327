import { isPlainObject } from './plain-object.js'

/**
 * Encodes fields a form parser made as `application/x-www-form-urlencoded`, the way a browser
 * does (spaces as `+`, UTF-8 escapes); a list becomes the same name repeated. `undefined` for
 * what no form holds: no object of fields, or a field that is no text or list of text, such as
 * the nested objects qs makes of `rule[name]=x`. Those are not encoded with brackets: the
 * notation the browser used (`a[b]`, `a.b`, `a[0]`, `a[]`) is gone, so that would be a guess.
 */
export function encodeForm(fields: unknown): string | undefined {
  if (!isPlainObject(fields)) return undefined

  const form = new URLSearchParams()

  for (const [name, value] of Object.entries(fields)) {
    const values: readonly unknown[] = Array.isArray(value) ? value : [value]

    for (const item of values) {
      if (!isFieldText(item)) return undefined

      form.append(name, String(item))
    }
  }

  return form.toString()
}

// Parsers give text only; numbers and booleans a later middleware set have one obvious text.
function isFieldText(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
}
