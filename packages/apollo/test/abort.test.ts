import { LoyalAuth } from '@loyal-auth/core'
import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'
import type { GraphQLError } from 'graphql'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { EmpowerAPI } from './support/empower-api.js'

/** Resolves once `condition` holds, polling the event loop (no fixed sleeps). */
async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now()

  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not reached in time')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

describe('a request aborted while it waits for a token', () => {
  let api: LoyalApi
  let auth: LoyalAuth

  beforeEach(async () => {
    api = await startLoyalApi()
    auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url, timeoutDuration: 1_000 })
  })

  afterEach(async () => {
    await auth.close()
    await api.close()
  })

  it('fails with LOYAL_TIMEOUT at once; the token request goes on for the others', async () => {
    // The first token request hangs until its attempt times out; the retry answers.
    api.faults.token({ hang: true, times: 1 })
    const empower = new EmpowerAPI({ auth })
    const controller = new AbortController()

    const impatient = empower.rollupUntil(1, controller.signal).catch((error) => error)
    const patient = empower.rollup(2)
    await until(() => api.counters.tokenRequests === 1)
    controller.abort()

    const error = (await impatient) as GraphQLError
    expect(error.extensions?.code).toBe('LOYAL_TIMEOUT')
    expect(api.counters.tokensIssued).toBe(0)
    expect((await patient).id).toBe(2)
    expect(api.counters.paths['/empower/rollups/1']).toBeUndefined()
  })
})
