import { base64url, CompactEncrypt, compactDecrypt, decodeProtectedHeader } from 'jose'

import { LoyalError } from './loyal-error.js'

/** One key, or several during a rotation: the first encrypts, every one of them decrypts. */
export type EncryptionKeyOption = string | Uint8Array | ReadonlyArray<string | Uint8Array>

interface RecordKey {
  readonly bytes: Uint8Array
  /** A short hash that names the key in the JWE header without revealing anything about it. */
  kid: string | undefined
}

const keyLength = 32
const header = { alg: 'dir', enc: 'A256GCM' } as const
const hexPattern = /^[0-9a-f]{64}$/i
const base64Pattern = /^[A-Za-z0-9+/_-]{43}={0,1}$/
// Domain separation: the key id is a hash of this label and the key, used for nothing else.
const kidLabel = new TextEncoder().encode('loyal-auth record key id\0')

/**
 * Encrypts records before they leave the process: compact JWE, `dir` + `A256GCM`, under the
 * caller's `encryptionKey`. Keys are checked at construction; a bad one is a `config` error
 * that names the option and never echoes the key.
 *
 * @example
 * const cipher = new RecordCipher(process.env.LOYAL_ENCRYPTION_KEY)
 * const jwe = await cipher.encrypt('{"token":"…"}')
 * const json = await cipher.decrypt(jwe)
 */
export class RecordCipher {
  readonly #keys: readonly RecordKey[]

  /** @param option 32 bytes as a Uint8Array, base64 (standard or url-safe) or hex; or a list. */
  constructor(option: EncryptionKeyOption) {
    this.#keys = parseEncryptionKeys(option)
  }

  /**
   * @param context what the record belongs to (the store key). It goes into the authenticated
   *   header, so a record copied under another credential's key no longer opens there.
   */
  async encrypt(plaintext: string, context?: string): Promise<string> {
    const key = this.#keys[0]!
    const kid = await keyIdOf(key)
    const bound = context === undefined ? {} : { ctx: context }

    return new CompactEncrypt(new TextEncoder().encode(plaintext))
      .setProtectedHeader({ ...header, kid, ...bound })
      .encrypt(key.bytes)
  }

  /**
   * Throws when no key opens the record, it was tampered with, or it was written for another
   * `context`; callers treat that as a miss.
   */
  async decrypt(jwe: string, context?: string): Promise<string> {
    let lastError: unknown

    for (const key of await this.#candidatesFor(jwe)) {
      try {
        const { plaintext, protectedHeader } = await compactDecrypt(jwe, key.bytes, decryptOptions)
        if (context !== undefined && protectedHeader.ctx !== context) break

        return new TextDecoder().decode(plaintext)
      } catch (error) {
        lastError = error
      }
    }

    throw new LoyalError('store', 'A stored token record could not be decrypted', {
      cause: lastError,
    })
  }

  // The `kid` picks the right key at once; a record without one, or with an unknown one,
  // is tried against every key so a rotation never strands a record.
  async #candidatesFor(jwe: string): Promise<readonly RecordKey[]> {
    const kid = readKeyId(jwe)
    if (kid === undefined) return this.#keys

    const ids = await Promise.all(this.#keys.map(keyIdOf))
    const index = ids.indexOf(kid)
    if (index < 0) return this.#keys

    const match = this.#keys[index]!
    return [match, ...this.#keys.filter((key) => key !== match)]
  }
}

const decryptOptions = {
  keyManagementAlgorithms: [header.alg],
  contentEncryptionAlgorithms: [header.enc],
}

/** Checks the `encryptionKey` option and turns it into raw 32-byte keys. */
export function parseEncryptionKeys(option: EncryptionKeyOption): readonly RecordKey[] {
  const list = Array.isArray(option) ? option : [option as string | Uint8Array]
  if (list.length === 0) throw keyError('must hold at least one key')

  return list.map((value, index) => {
    const bytes = decodeKey(value)
    if (bytes === undefined) throw keyError(describeProblem(value), list.length > 1 ? index : -1)

    return { bytes, kid: undefined }
  })
}

function decodeKey(value: unknown): Uint8Array | undefined {
  if (value instanceof Uint8Array) {
    return value.byteLength === keyLength ? Uint8Array.from(value) : undefined
  }

  if (typeof value !== 'string') return undefined

  const text = value.trim()
  if (hexPattern.test(text)) return decodeHex(text)
  if (base64Pattern.test(text)) return decodeBase64(text)

  return undefined
}

function decodeHex(text: string): Uint8Array {
  const bytes = new Uint8Array(keyLength)
  for (let index = 0; index < keyLength; index++) {
    bytes[index] = Number.parseInt(text.slice(index * 2, index * 2 + 2), 16)
  }

  return bytes
}

function decodeBase64(text: string): Uint8Array | undefined {
  const urlSafe = text.replace(/=+$/, '').replaceAll('+', '-').replaceAll('/', '_')

  try {
    const bytes = base64url.decode(urlSafe)
    return bytes.byteLength === keyLength ? bytes : undefined
  } catch {
    return undefined
  }
}

// Says what is wrong in terms of shape and length only: the value itself is a secret.
function describeProblem(value: unknown): string {
  if (value instanceof Uint8Array) {
    return `must be ${keyLength} bytes, got ${value.byteLength}`
  }

  if (typeof value !== 'string') return 'must be a string or a Uint8Array'

  return `must be ${keyLength} bytes written as base64, base64url or hex (64 hex digits)`
}

function keyError(problem: string, index = -1): LoyalError {
  const name = index < 0 ? '"encryptionKey"' : `"encryptionKey[${index}]"`
  return new LoyalError('config', `${name} ${problem}`)
}

async function keyIdOf(key: RecordKey): Promise<string> {
  if (key.kid !== undefined) return key.kid

  const input = new Uint8Array([...kidLabel, ...key.bytes])
  const digest = await crypto.subtle.digest('SHA-256', input)
  key.kid = base64url.encode(new Uint8Array(digest, 0, 8))

  return key.kid
}

function readKeyId(jwe: string): string | undefined {
  try {
    const { kid } = decodeProtectedHeader(jwe)
    return typeof kid === 'string' ? kid : undefined
  } catch {
    return undefined
  }
}
