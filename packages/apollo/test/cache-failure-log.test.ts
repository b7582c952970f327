import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache'
import { LoyalAuth } from '@loyal-auth/core'
import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EmpowerAPI } from './support/empower-api.js'

let api: LoyalApi
let auth: LoyalAuth

beforeEach(async () => {
  api = await startLoyalApi()
  auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url })
})

afterEach(async () => {
  await auth.close()
  await api.close()
})

describe('LoyalDataSource cache failures', () => {
  it('logs a failed cache delete without the token or API key the backend quoted', async () => {
    const token = await auth.getToken()
    const lines: string[] = []
    const cache = new InMemoryLRUCache<string>()

    // A cache backend whose error quotes what it was handed, secrets included.
    cache.delete = async () => {
      throw new Error(`backend refused: Bearer ${token.value} ApiKey ${api.apiKey}`)
    }

    const logger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (message: unknown) => void lines.push(String(message)),
      error: (message: unknown) => void lines.push(String(message)),
    }
    const empower = new EmpowerAPI({ auth, cache, logger })

    await empower.createRule({ name: 'Night shift', condition: 'hour > 22' })

    expect(lines.join('\n')).toContain('could not drop a stale cache entry')
    expect(lines.join('\n')).not.toContain(token.value)
    expect(lines.join('\n')).not.toContain(api.apiKey)
  })
})
