import { SCOPE_ENCODINGS } from './scope-encoding.js'
import type { LoyalApiSettings } from './types.js'

export const DEFAULT_SETTINGS: Readonly<LoyalApiSettings> = Object.freeze({
  scopeEncoding: 'space',
  tokenDuration: 86_400_000,
  expFormat: 'seconds',
  responseCase: 'camel',
  invalidKeyStatus: 401,
  clockOffset: 0,
  enforceScopes: true,
})

const EXP_FORMATS = ['seconds', 'milliseconds', 'none']
const RESPONSE_CASES = ['camel', 'pascal']
const INVALID_KEY_STATUSES = [200, 400, 401, 403]

/** Checks settings once, where they are given, and names the option that is wrong. */
export function checkSettings(settings: Partial<LoyalApiSettings>): void {
  const { scopeEncoding, tokenDuration, expFormat, responseCase } = settings

  oneOf('scopeEncoding', scopeEncoding, SCOPE_ENCODINGS)
  oneOf('expFormat', expFormat, EXP_FORMATS)
  oneOf('responseCase', responseCase, RESPONSE_CASES)
  oneOf('invalidKeyStatus', settings.invalidKeyStatus, INVALID_KEY_STATUSES)

  if (tokenDuration !== undefined && !(Number.isFinite(tokenDuration) && tokenDuration > 0)) {
    throw new TypeError('"tokenDuration" must be a positive number of milliseconds')
  }
  if (settings.clockOffset !== undefined && !Number.isFinite(settings.clockOffset)) {
    throw new TypeError('"clockOffset" must be a finite number of milliseconds')
  }
  if (settings.enforceScopes !== undefined && typeof settings.enforceScopes !== 'boolean') {
    throw new TypeError('"enforceScopes" must be a boolean')
  }
}

function oneOf(name: string, value: unknown, allowed: readonly unknown[]): void {
  if (value !== undefined && !allowed.includes(value)) {
    throw new TypeError(`"${name}" must be one of ${allowed.map(String).join(', ')}`)
  }
}

/** Only the settings keys of an options object, without `undefined` values. */
export function pickSettings(options: Partial<LoyalApiSettings>): Partial<LoyalApiSettings> {
  const keys = Object.keys(DEFAULT_SETTINGS) as Array<keyof LoyalApiSettings>
  const picked = keys.filter((key) => options[key] !== undefined).map((key) => [key, options[key]])

  return Object.fromEntries(picked) as Partial<LoyalApiSettings>
}
