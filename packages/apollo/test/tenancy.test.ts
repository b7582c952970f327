import { InMemoryLRUCache } from '@apollo/utils.keyvaluecache'
import { LoyalAuth } from '@loyal-auth/core'
import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { apolloMajors, type GraphQLServer } from './support/apollo-majors.js'
import { EmpowerAPI, resolvers, typeDefs } from './support/empower-api.js'

/** Remembers every key the HTTP cache writes. */
class RecordingCache extends InMemoryLRUCache {
  readonly writtenKeys: string[] = []

  override async set(key: string, value: string, options?: { ttl?: number | null }) {
    this.writtenKeys.push(key)

    return super.set(key, value, options)
  }
}

const tenants = {
  north: { apiKey: 'loyal_test_tenant_north', clientId: '11111111-1111-4111-8111-111111111111' },
  south: { apiKey: 'loyal_test_tenant_south', clientId: '22222222-2222-4222-8222-222222222222' },
}

type Tenant = keyof typeof tenants

const query = '{ cachedRollup(id: 1) { id clientId } }'

describe.each(apolloMajors)('tenants on Apollo Server $major (C13)', ({ serve }) => {
  let api: LoyalApi
  let server: GraphQLServer
  let auths: Record<Tenant, LoyalAuth>
  let cache: RecordingCache
  let dataSourceFor: (tenant: Tenant) => EmpowerAPI

  beforeAll(async () => {
    api = await startLoyalApi()
    for (const tenant of Object.values(tenants)) api.addClient(tenant)

    server = await serve({
      typeDefs,
      resolvers,
      context: async ({ req }) => ({ empower: dataSourceFor(req.headers['x-tenant'] as Tenant) }),
    })
  })

  afterAll(async () => {
    await server.stop()
    await api.close()
  })

  beforeEach(() => {
    api.reset()
    cache = new RecordingCache()
    auths = {
      north: new LoyalAuth({ apiKey: tenants.north.apiKey, baseUrl: api.url }),
      south: new LoyalAuth({ apiKey: tenants.south.apiKey, baseUrl: api.url }),
    }
  })

  afterEach(async () => {
    await Promise.all(Object.values(auths).map((auth) => auth.close()))
  })

  function ask(tenant: Tenant) {
    return server.post(query, { headers: { 'x-tenant': tenant } })
  }

  async function expectTenantsApart(): Promise<void> {
    // One after the other: a cache key without the credential would hand south north's answer.
    const north = await ask('north')
    const south = await ask('south')
    const calls = api.requests.filter((one) => one.path === '/empower/rollups/1')
    const tokens = await Promise.all([auths.north.getToken(), auths.south.getToken()])

    expect(north.body.data?.cachedRollup).toEqual({ id: 1, clientId: tenants.north.clientId })
    expect(south.body.data?.cachedRollup).toEqual({ id: 1, clientId: tenants.south.clientId })
    expect(calls.map((one) => one.authorization)).toEqual(
      tokens.map((token) => [`Bearer ${token.value}`])
    )
  }

  async function expectKeysHoldFingerprints(): Promise<void> {
    const fingerprints = await Promise.all([auths.north.fingerprint(), auths.south.fingerprint()])

    expect(cache.writtenKeys).toHaveLength(2)
    for (const [index, key] of cache.writtenKeys.entries()) {
      expect(key).toContain(fingerprints[index])
      expect(key).not.toContain(tenants.north.apiKey)
      expect(key).not.toContain(tenants.south.apiKey)
    }
  }

  it('keeps tenants apart in one shared instance through forAuth()', async () => {
    const shared = new EmpowerAPI({ auth: auths.north, cache })

    dataSourceFor = (tenant) => shared.forAuth(auths[tenant])

    await expectTenantsApart()
    await expectKeysHoldFingerprints()
  })

  it('keeps tenants apart in per-operation instances sharing one cache', async () => {
    dataSourceFor = (tenant) => new EmpowerAPI({ auth: auths[tenant], cache })

    await expectTenantsApart()
    await expectKeysHoldFingerprints()
  })

  it('serves each tenant its own cached answer afterwards, without upstream calls', async () => {
    const shared = new EmpowerAPI({ auth: auths.north, cache })

    dataSourceFor = (tenant) => shared.forAuth(auths[tenant])
    await expectTenantsApart()

    const [north, south] = await Promise.all([ask('north'), ask('south')])

    expect(north.body.data?.cachedRollup).toMatchObject({ clientId: tenants.north.clientId })
    expect(south.body.data?.cachedRollup).toMatchObject({ clientId: tenants.south.clientId })
    expect(api.requests.filter((one) => one.path === '/empower/rollups/1')).toHaveLength(2)
  })

  it('keeps answers apart when an apiKey function moves to another client', async () => {
    let current = tenants.north.apiKey
    const rotating = new LoyalAuth({ apiKey: () => current, baseUrl: api.url })
    dataSourceFor = () => new EmpowerAPI({ auth: rotating, cache })

    try {
      const before = await ask('north')
      current = tenants.south.apiKey
      await rotating.getToken({ forceRefresh: true })
      const after = await ask('north')

      expect(before.body.data?.cachedRollup).toMatchObject({ clientId: tenants.north.clientId })
      expect(after.body.data?.cachedRollup).toMatchObject({ clientId: tenants.south.clientId })
      expect(new Set(cache.writtenKeys.map((key) => key.split(':')[1])).size).toBe(2)
    } finally {
      await rotating.close()
    }
  })

  it('does not share one in-flight request between tenants', async () => {
    const shared = new EmpowerAPI({ auth: auths.north, cache: new InMemoryLRUCache() })

    dataSourceFor = (tenant) => shared.forAuth(auths[tenant])
    await Promise.all([auths.north.getToken(), auths.south.getToken()])
    // Both operations are in flight at once: a shared deduplication key would merge them.
    api.faults.route('/empower/rollups/1', { delay: 150, times: 2 })

    const [north, south] = await Promise.all([ask('north'), ask('south')])

    expect(north.body.data?.cachedRollup).toMatchObject({ clientId: tenants.north.clientId })
    expect(south.body.data?.cachedRollup).toMatchObject({ clientId: tenants.south.clientId })
    expect(api.requests.filter((one) => one.path === '/empower/rollups/1')).toHaveLength(2)
  })
})
