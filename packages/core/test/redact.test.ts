import { describe, expect, it } from 'vitest'
import { redactSecrets } from '../src/redact.js'
import { PUBLISHED_TOKEN } from './fixtures/published-token.js'

describe('redactSecrets', () => {
  it('replaces every occurrence of each secret', () => {
    const text = 'key=k3y-abc, again k3y-abc'

    expect(redactSecrets(text, ['k3y-abc'])).toBe('key=[redacted], again [redacted]')
  })

  it('replaces the URL-encoded form of a secret', () => {
    const secret = 'a/b+c=='

    expect(redactSecrets(`GET /x?key=${encodeURIComponent(secret)}`, [secret])).toBe(
      'GET /x?key=[redacted]'
    )
  })

  it('replaces longer secrets first so no fragment is left', () => {
    expect(redactSecrets('abcdef', ['abc', 'abcdef'])).toBe('[redacted]')
  })

  it('masks anything that looks like a JWT, even when unknown', () => {
    const text = `{"token":"${PUBLISHED_TOKEN}"}`

    expect(redactSecrets(text, [])).toBe('{"token":"[redacted]"}')
  })

  it('masks ApiKey and Bearer header values', () => {
    const text = 'authorization: ApiKey s3cr3t; Authorization: "bearer abc.def"'

    expect(redactSecrets(text, [])).toBe(
      'authorization: ApiKey [redacted]; Authorization: "bearer [redacted]"'
    )
  })

  it('skips empty secrets, accepts any iterable and is idempotent', () => {
    const once = redactSecrets('Bearer xyz and key', new Set(['', 'key']))

    expect(once).toBe('Bearer [redacted] and [redacted]')
    expect(redactSecrets(once, ['key'])).toBe(once)
  })

  it('leaves text without secrets alone', () => {
    expect(redactSecrets('GET /users 200', ['k3y'])).toBe('GET /users 200')
  })
})
