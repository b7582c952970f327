import { inspect } from 'node:util'
import type { MalformedBody } from '@loyal-auth/testing'
import { describe, expect, it } from 'vitest'
import { LoyalAuth, type LoyalError, type TokenFetchedState } from '../../src/index.js'
import { authFor, captureLogger, expectNoSecrets, rejectionOf, startApi } from './support.js'

describe('LoyalAuth token request', () => {
  it('POSTs `Authorization: ApiKey <key>` once, without a body', async () => {
    const api = await startApi()
    const auth = authFor(api)

    await auth.getToken()

    const [request] = api.requests
    expect(request?.method).toBe('POST')
    expect(request?.path).toBe('/auth/client/token')
    expect(request?.authorization).toEqual([`ApiKey ${api.apiKey}`])
    expect(request?.body).toBeUndefined()
  })

  it('reads camelCase and .NET PascalCase bodies alike', async () => {
    const api = await startApi({ responseCase: 'pascal' })
    const pascal = authFor(api)
    expect(await api.verifyToken((await pascal.getToken()).value)).toBeDefined()

    api.configure({ responseCase: 'camel' })
    const camel = authFor(api)
    expect(await api.verifyToken((await camel.getToken()).value)).toBeDefined()
  })

  it('reads `authenticated: false` as a refused key, without retrying', async () => {
    const api = await startApi()
    api.faults.token({ authenticated: false })
    const auth = authFor(api)

    const error = (await rejectionOf(auth.getToken())) as LoyalError

    expect(error.code).toBe('invalid_api_key')
    expect(error.httpStatus).toBe(502)
    expect(api.counters.tokenRequests).toBe(1)
  })

  it('reads a PascalCase `Authenticated: false` for an unknown key as a refused key', async () => {
    const api = await startApi({ responseCase: 'pascal', invalidKeyStatus: 200 })
    const auth = authFor(api, { apiKey: 'not-a-registered-key' })

    const error = (await rejectionOf(auth.getToken())) as LoyalError

    expect(error.code).toBe('invalid_api_key')
    expect(api.counters.tokenRequests).toBe(1)
  })

  it.each<MalformedBody>(['not-json', 'empty', 'no-token', 'not-jwt', 'bad-claims'])(
    'a %s body is `malformed_token`, not retried',
    async (malformed) => {
      const api = await startApi()
      api.faults.token({ malformed })
      const auth = authFor(api)

      const error = (await rejectionOf(auth.getToken())) as LoyalError

      expect(error.code).toBe('malformed_token')
      expect(api.counters.tokenRequests).toBe(1)
    }
  )

  it('refuses a token that is not header-safe base64url, without quoting it', async () => {
    const api = await startApi()
    const jwt = await api.issueToken()
    const unsafe = `${jwt.slice(0, -4)}\n${jwt.slice(-4)}`
    api.faults.token({ status: 200, body: { authenticated: true, token: unsafe } })
    const auth = authFor(api)

    const error = (await rejectionOf(auth.getToken())) as LoyalError

    expect(error.code).toBe('malformed_token')
    expectNoSecrets(error, [jwt.slice(0, -4), api.apiKey])
  })

  it('never follows a redirect with the API key', async () => {
    const api = await startApi()
    const elsewhere = await startApi()
    api.faults.token({ status: 307, headers: { location: `${elsewhere.url}/auth/client/token` } })
    const auth = authFor(api)

    const error = (await rejectionOf(auth.getToken())) as LoyalError

    expect(error.code).toBe('token_endpoint_unavailable')
    expect(error.upstreamStatus).toBe(307)
    expect(elsewhere.counters.tokenRequests).toBe(0)
    expect(api.counters.tokenRequests).toBe(1)
  })

  it('calls an apiKey function for each token request', async () => {
    const api = await startApi()
    let calls = 0
    const auth = authFor(api, {
      apiKey: async () => {
        calls++
        return api.apiKey
      },
    })

    await auth.getToken()
    await auth.getToken({ forceRefresh: true })

    expect(calls).toBe(2)
  })

  it('reports a fetched token to the tokenFetched hooks, with its attempts', async () => {
    const api = await startApi()
    api.faults.token({ status: 502, times: 1 })
    const fetched: TokenFetchedState[] = []
    const auth = authFor(api, { hooks: { tokenFetched: [(state) => fetched.push(state)] } })

    const token = await auth.getToken()

    expect(fetched).toEqual([{ token, attempts: 2 }])
  })
})

describe('LoyalAuth keeps secrets out of errors and logs (C16)', () => {
  it('a 500 that echoes the request, key included, leaves no secret in the error', async () => {
    const api = await startApi()
    api.faults.token({ echo: true })
    const auth = authFor(api, { retry: { attempts: 2, baseDelay: 1 } })

    const error = (await rejectionOf(auth.getToken())) as LoyalError

    expect(error.code).toBe('token_endpoint_unavailable')
    expect(error.upstreamStatus).toBe(500)
    expect(error.toJSON()).toMatchObject({ method: 'POST', path: '/auth/client/token' })
    expect(api.counters.tokenRequests).toBe(2)
    expectNoSecrets(error, [api.apiKey])
  })

  it('a refused key leaves the key out of the error', async () => {
    const api = await startApi()
    const secretKey = 'loyal_live_0123456789abcdef'
    const auth = authFor(api, { apiKey: secretKey })

    const error = (await rejectionOf(auth.getToken())) as LoyalError

    expect(error.code).toBe('invalid_api_key')
    expectNoSecrets(error, [secretKey])
  })

  it('a timeout and a network error leave the key out of the error', async () => {
    const api = await startApi()
    api.faults.token({ hang: true })
    const hung = authFor(api, { timeoutDuration: 50, retry: { attempts: 1 } })
    expectNoSecrets(await rejectionOf(hung.getToken()), [api.apiKey])

    const closed = await startApi()
    const url = closed.url
    await closed.close()
    const unreachable = authFor(api, { baseUrl: url, retry: { attempts: 1 } })
    const error = (await rejectionOf(unreachable.getToken())) as LoyalError
    expect(error.code).toBe('token_endpoint_unavailable')
    expectNoSecrets(error, [api.apiKey])
  })

  it('logs never hold the key or a token', async () => {
    const api = await startApi()
    api.faults.token({ echo: true, times: 1 })
    const logger = captureLogger()
    const auth = authFor(api, { logger })

    const token = await auth.getToken()
    await auth.getToken({ forceRefresh: true })

    expect(logger.entries.length).toBeGreaterThan(0)
    expectNoSecrets(inspect(logger.entries, { depth: 10 }), [api.apiKey, token.value])
  })

  it('the LoyalAuth instance itself shows no secret', async () => {
    const api = await startApi()
    const auth = authFor(api)
    const token = await auth.getToken()

    expectNoSecrets(inspect(auth, { depth: 10, showHidden: true }), [api.apiKey, token.value])
    expectNoSecrets(JSON.stringify(auth), [api.apiKey, token.value])
  })

  it('redact() hides the key and every token seen', async () => {
    const api = await startApi()
    const auth = authFor(api)
    const t1 = await auth.getToken()
    const t2 = await auth.getToken({ forceRefresh: true })

    const text = auth.redact(`key=${api.apiKey} old=${t1.value} new=${t2.value}`)

    expectNoSecrets(text, [api.apiKey, t1.value, t2.value])
    expect(text).toContain('[redacted]')
  })

  it('fingerprint() is the hex SHA-256 of baseUrl and key, and not the key', async () => {
    const auth = new LoyalAuth({ apiKey: 'k3y', baseUrl: 'https://api.example.com/' })
    const expected = await crypto.subtle.digest(
      'SHA-256',
      new TextEncoder().encode('https://api.example.com\nk3y')
    )

    expect(await auth.fingerprint()).toBe(Buffer.from(expected).toString('hex'))
    await auth.close()
  })

  it('fingerprint() names the key of the token in use, without asking the key function', async () => {
    const api = await startApi()
    const rotated = 'loyal_test_rotated_key'
    api.addClient({ apiKey: rotated, clientId: 'client-after-rotation' })
    let current = api.apiKey
    let calls = 0
    const auth = authFor(api, {
      apiKey: () => {
        calls++

        return current
      },
    })

    try {
      await auth.getToken()
      const before = await auth.fingerprint()
      const callsBefore = calls
      current = rotated
      expect(await auth.fingerprint()).toBe(before)
      expect(calls).toBe(callsBefore)

      await auth.getToken({ forceRefresh: true })

      expect(await auth.fingerprint()).not.toBe(before)
    } finally {
      await auth.close()
    }
  })

  it('fingerprint() called by a burst of first requests asks the apiKey function once', async () => {
    const warnings: string[] = []
    const onWarning = (warning: Error) => warnings.push(warning.name)
    process.on('warning', onWarning)
    let calls = 0
    const auth = new LoyalAuth({
      apiKey: async () => {
        calls++
        await new Promise((resolve) => setTimeout(resolve, 10))

        return 'k3y'
      },
      baseUrl: 'https://api.example.com',
    })

    try {
      const fingerprints = await Promise.all(Array.from({ length: 50 }, () => auth.fingerprint()))
      await new Promise((resolve) => setImmediate(resolve))

      expect(new Set(fingerprints).size).toBe(1)
      expect(calls).toBe(1)
      expect(warnings).not.toContain('MaxListenersExceededWarning')
    } finally {
      process.off('warning', onWarning)
      await auth.close()
    }
  })
})
