import { describe, expect, it } from 'vitest'
import { LoyalAuth, type LoyalError } from '../../src/index.js'
import { authFor, captureLogger, rejectionOf, startApi } from './support.js'

describe('LoyalAuth.describe', () => {
  it('reports the client, roles, scopes and expiry of the credential', async () => {
    const api = await startApi({ clientName: 'Piedmont Healthcare', scopes: ['users:read'] })
    const auth = authFor(api)

    const description = await auth.describe()

    expect(description).toEqual({
      clientId: api.client.clientId,
      clientName: 'Piedmont Healthcare',
      roles: ['LoyalApiClientAccess'],
      scopes: ['users:read'],
      expiresAt: expect.any(Date),
      hasScopeInfo: true,
    })
    expect(api.counters.tokenRequests).toBe(1)
  })
})

describe('LoyalAuth logging and hooks', () => {
  it('logs routine events at debug level, never a secret, and notices an exp in milliseconds', async () => {
    const api = await startApi({ expFormat: 'milliseconds' })
    const logger = captureLogger()
    const auth = authFor(api, { logger })

    const token = await auth.getToken()

    expect(token.expiresAt.getTime() - Date.now()).toBeGreaterThan(23 * 60 * 60_000)
    expect(logger.events('token-fetched')[0]?.level).toBe('debug')
    expect(logger.events('refresh-scheduled')[0]?.level).toBe('debug')
    expect(logger.events('token-exp-in-milliseconds')).toHaveLength(1)
    expect(logger.entries.every((entry) => entry.message?.startsWith('loyal-auth: '))).toBe(true)
    expect(JSON.stringify(logger.entries)).not.toContain(token.value)
  })

  it('a hook that throws is logged and does not break the fetch', async () => {
    const api = await startApi()
    const logger = captureLogger()
    const auth = authFor(api, {
      logger,
      hooks: {
        tokenFetched: [
          () => {
            throw new Error('hook bug')
          },
        ],
      },
    })

    await auth.getToken()

    expect(logger.events('hook-failed')[0]?.fields).toMatchObject({ hook: 'tokenFetched' })
  })

  it('a logger that throws does not break the fetch', async () => {
    const api = await startApi()
    const explode = () => {
      throw new Error('logger bug')
    }
    const logger = { debug: explode, info: explode, warn: explode, error: explode }
    const auth = authFor(api, { logger })

    expect(await api.verifyToken((await auth.getToken()).value)).toBeDefined()
  })
})

describe('LoyalAuth disposal', () => {
  it('`await using` closes the instance at the end of the block', async () => {
    const api = await startApi()
    let escaped: LoyalAuth | undefined

    {
      await using auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url })
      await auth.getToken()
      escaped = auth
    }

    const error = (await rejectionOf(escaped.getToken())) as LoyalError
    expect(error.code).toBe('config')
  })
})
