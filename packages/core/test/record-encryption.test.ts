import { inspect } from 'node:util'

import { CompactEncrypt, decodeProtectedHeader } from 'jose'
import { describe, expect, it } from 'vitest'

import { LoyalAuth } from '../src/loyal-auth.js'
import { isLoyalError } from '../src/loyal-error.js'
import { parseEncryptionKeys, RecordCipher } from '../src/record-encryption.js'

const bytes = Uint8Array.from({ length: 32 }, (_, index) => index + 1)
const hex = Buffer.from(bytes).toString('hex')
const base64 = Buffer.from(bytes).toString('base64')
const base64Url = Buffer.from(bytes).toString('base64url')
const otherKey = Buffer.alloc(32, 7).toString('base64')

describe('parseEncryptionKeys', () => {
  it('reads 32 bytes given as Uint8Array, hex, base64 or base64url alike', () => {
    for (const form of [
      bytes,
      hex,
      hex.toUpperCase(),
      base64,
      base64Url,
      base64.replace(/=$/, ''),
    ]) {
      const [key] = parseEncryptionKeys(form)
      expect(Buffer.from(key!.bytes).equals(Buffer.from(bytes))).toBe(true)
    }
  })

  it('refuses a wrong length or garbage with a config error naming the option, not the key', () => {
    const secret = 'c2VjcmV0LWJ1dC10b28tc2hvcnQ'
    const bad: unknown[] = [
      secret,
      new Uint8Array(16),
      hex.slice(2),
      `${hex}00`,
      Buffer.alloc(48, 0xff).toString('base64'),
      'correct horse battery staple correct horse batt',
      '',
      42,
      [],
    ]

    for (const value of bad) {
      const error = catchError(() => parseEncryptionKeys(value as string))

      expect(isLoyalError(error) && error.code).toBe('config')
      expect((error as Error).message).toContain('"encryptionKey')
      for (const view of [(error as Error).message, (error as Error).stack, inspect(error)]) {
        expect(view).not.toContain(secret)
      }
    }
  })

  it('names the position of the bad key in a rotation list', () => {
    const error = catchError(() => parseEncryptionKeys([base64, 'nope']))

    expect((error as Error).message).toContain('"encryptionKey[1]"')
  })
})

describe('RecordCipher', () => {
  it('writes a compact JWE, dir + A256GCM, with a kid that is not the key', async () => {
    const jwe = await new RecordCipher(base64).encrypt('{"token":"abc"}')
    const header = decodeProtectedHeader(jwe)

    expect(jwe.split('.')).toHaveLength(5)
    expect(header).toMatchObject({ alg: 'dir', enc: 'A256GCM' })
    expect(header.kid).toMatch(/^[\w-]{11}$/)
    expect(jwe).not.toContain('abc')
    for (const form of [hex, base64, base64Url]) expect(jwe).not.toContain(form.slice(0, 16))
  })

  it('round-trips, and never produces the same ciphertext twice', async () => {
    const cipher = new RecordCipher(hex)
    const first = await cipher.encrypt('payload')
    const second = await cipher.encrypt('payload')

    expect(first).not.toBe(second)
    expect(await cipher.decrypt(first)).toBe('payload')
  })

  it('rotates: the first key encrypts, every key decrypts', async () => {
    const old = new RecordCipher(base64)
    const rotating = new RecordCipher([otherKey, base64])
    const rotated = new RecordCipher(otherKey)

    const written = await old.encrypt('from before')
    expect(await rotating.decrypt(written)).toBe('from before')

    const rewritten = await rotating.encrypt('after')
    expect(decodeProtectedHeader(rewritten).kid).not.toBe(decodeProtectedHeader(written).kid)
    expect(await rotated.decrypt(rewritten)).toBe('after')
    await expect(old.decrypt(rewritten)).rejects.toMatchObject({ code: 'store' })
  })

  it('tries every key when the kid is missing or unknown', async () => {
    const encrypt = (header: Record<string, string>) =>
      new CompactEncrypt(new TextEncoder().encode('x'))
        .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', ...header })
        .encrypt(bytes)
    const rotating = new RecordCipher([otherKey, base64])

    expect(await rotating.decrypt(await encrypt({}))).toBe('x')
    expect(await rotating.decrypt(await encrypt({ kid: 'unknown' }))).toBe('x')
  })

  it('binds a record to its context: it opens under that context only', async () => {
    const cipher = new RecordCipher(base64)
    const written = await cipher.encrypt('tenant A', 'key-of-a')

    expect(await cipher.decrypt(written, 'key-of-a')).toBe('tenant A')
    await expect(cipher.decrypt(written, 'key-of-b')).rejects.toMatchObject({ code: 'store' })
    await expect(cipher.decrypt(await cipher.encrypt('x'), 'key-of-b')).rejects.toMatchObject({
      code: 'store',
    })
  })

  it('rejects a tampered record or garbage with a store error', async () => {
    const cipher = new RecordCipher(base64)
    const written = await cipher.encrypt('payload')
    const parts = written.split('.')
    const ciphertext = parts[3]!
    parts[3] = `${ciphertext[0] === 'A' ? 'B' : 'A'}${ciphertext.slice(1)}`

    for (const text of [parts.join('.'), 'garbage', '', 'a.b.c.d.e']) {
      await expect(cipher.decrypt(text)).rejects.toMatchObject({ code: 'store' })
    }
  })
})

function catchError(run: () => unknown): unknown {
  try {
    run()
  } catch (error) {
    return error
  }

  throw new Error('expected an error')
}

describe('LoyalAuth "encryptionKey"', () => {
  it('is checked at construction even with the in-memory store', () => {
    const construct = () => new LoyalAuth({ apiKey: 'loyal_test_key', encryptionKey: 'too-short' })

    expect(construct).toThrow(expect.objectContaining({ code: 'config' }))
    expect(construct).toThrow(/"encryptionKey"/)
  })
})
