import { describe, expect, it } from 'vitest'
import { isLoyalError, LoyalAuth, type LoyalAuthOptions, MemoryTokenStore } from '../src/index.js'

function configErrorOf(options: unknown): { code: string; message: string } {
  try {
    new LoyalAuth(options as LoyalAuthOptions)
  } catch (error) {
    if (!isLoyalError(error)) throw error
    return { code: error.code, message: error.message }
  }

  throw new Error('expected a config error')
}

const apiKey = 'loyal_test_key'

describe('LoyalAuth options', () => {
  it.each([Number.NaN, -5, '30', Number.POSITIVE_INFINITY, null])(
    'C10c: skewDuration %s is a config error naming the option',
    (skewDuration) => {
      const error = configErrorOf({ apiKey, skewDuration })

      expect(error.code).toBe('config')
      expect(error.message).toContain('"skewDuration"')
    }
  )

  it('accepts a skew of 0 and the defaults', async () => {
    await new LoyalAuth({ apiKey, skewDuration: 0 }).close()
    const auth = new LoyalAuth({ apiKey })

    expect(auth.baseUrl).toBe('https://api.loyalhealth.com')
    await auth.close()
  })

  it('requires an apiKey, a string or a function, and never quotes it', () => {
    expect(configErrorOf({}).message).toContain('"apiKey"')
    expect(configErrorOf({ apiKey: '' }).message).toContain('"apiKey"')
    expect(configErrorOf({ apiKey: 42 }).message).toContain('"apiKey"')

    const withNewline = configErrorOf({ apiKey: 'secret\r\nX-Injected: 1' })
    expect(withNewline.message).toContain('"apiKey"')
    expect(withNewline.message).not.toContain('secret')
  })

  it.each([
    'http://api.loyalhealth.com',
    'http://10.0.0.1:8080',
    'ftp://127.0.0.1',
    'not a url',
    'https://user:pass@api.loyalhealth.com',
    'https://api.loyalhealth.com/?key=1',
  ])('refuses baseUrl %s', (baseUrl) => {
    expect(configErrorOf({ apiKey, baseUrl }).message).toContain('"baseUrl"')
  })

  it.each([
    'http://127.0.0.1:4000',
    'http://127.8.9.10',
    'http://[::1]:4000',
    'http://localhost:4000',
    'https://api.example.com',
  ])('accepts baseUrl %s', async (baseUrl) => {
    await new LoyalAuth({ apiKey, baseUrl }).close()
  })

  it.each<[string, Record<string, unknown>]>([
    ['timeoutDuration', { timeoutDuration: 0 }],
    ['cooldownDuration', { cooldownDuration: -1 }],
    ['refreshWindow', { refreshWindow: [0.9, 0.8] }],
    ['refreshWindow', { refreshWindow: [0, 0.5] }],
    ['refreshWindow', { refreshWindow: [0.5, 1.5] }],
    ['retry.attempts', { retry: { attempts: 0 } }],
    ['retry.attempts', { retry: { attempts: 1.5 } }],
    ['retry.deadline', { retry: { deadline: Number.NaN } }],
    ['retry.baseDelay', { retry: { baseDelay: '100' } }],
    ['tokenPath', { tokenPath: 'auth/client/token' }],
    ['fetch', { fetch: 'fetch' }],
    ['now', { now: 0 }],
    ['logger', { logger: { debug() {} } }],
    ['store', { store: { get() {} } }],
    ['hooks.refreshFailed', { hooks: { refreshFailed: () => {} } }],
    ['encryptionKey', { encryptionKey: 'too-short' }],
  ])('refuses a bad %s', (name, options) => {
    expect(configErrorOf({ apiKey, ...options }).message).toContain(`"${name}`)
  })

  it.each(['//evil.example/token', '///auth/client/token', '/\\evil.example/token', 'https://x/t'])(
    'refuses tokenPath %s: a path with exactly one leading "/"',
    (tokenPath) => {
      const error = configErrorOf({ apiKey, tokenPath })

      expect(error.code).toBe('config')
      expect(error.message).toContain('"tokenPath"')
    }
  )

  it('accepts a nested tokenPath', async () => {
    await new LoyalAuth({ apiKey, tokenPath: '/v2/auth/client/token' }).close()
  })

  it('refuses an encryptionKey that is the API key, quoting neither', () => {
    const key = 'a'.repeat(64)
    const single = configErrorOf({ apiKey: key, encryptionKey: key })
    const inList = configErrorOf({ apiKey: key, encryptionKey: ['b'.repeat(64), key] })

    for (const error of [single, inList]) {
      expect(error.code).toBe('config')
      expect(error.message).toContain('"encryptionKey"')
      expect(error.message).toContain('API key')
      expect(error.message).not.toContain(key)
    }
  })

  it('demands an encryptionKey for a persistent store', () => {
    const store = Object.assign(new MemoryTokenStore(), { persistent: true })

    expect(configErrorOf({ apiKey, store }).message).toContain('"encryptionKey"')
  })
})
