/**
 * True for an object literal, also one without a prototype (querystring's and multer's):
 * what body parsers make. A Map, a class instance or a typed array is none.
 */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false

  const prototype: unknown = Object.getPrototypeOf(value)

  return prototype === Object.prototype || prototype === null
}
