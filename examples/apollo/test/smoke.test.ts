import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type RunningServer, startServer } from '../src/server.js'
import { openTarget, type Target } from '../src/target.js'

describe('example-apollo against the embedded API', () => {
  let target: Target
  let server: RunningServer

  beforeAll(async () => {
    target = await openTarget({})
    server = await startServer({ auth: target.auth, tenants: target.tenants, port: 0 })
  })

  afterAll(async () => {
    await server.stop()
    await target.close()
  })

  async function post(query: string, headers: Record<string, string> = {}) {
    const response = await fetch(server.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query }),
    })

    return response.json()
  }

  it('answers the README query with a page of rollups', async () => {
    const reply = await post('{ rollups(offset: 2, limit: 3) { id name averageRating } }')

    expect(reply.data.rollups.map((rollup: { id: number }) => rollup.id)).toEqual([3, 4, 5])
  })

  it('reads provider totals in one batch, a location, and null for a missing rollup', async () => {
    const reply = await post(
      '{ providersTotals(providerIds: [101, 103]) { providerId } location(locationId: 202) { city } rollup(id: 999) { id } }'
    )

    expect(reply).toEqual({
      data: {
        providersTotals: [{ providerId: 101 }, { providerId: 103 }],
        location: { city: 'Athens' },
        rollup: null,
      },
    })
  })

  it('creates a rule, and refuses the read-only tenant with FORBIDDEN', async () => {
    const mutation =
      'mutation { createRule(rule: { name: "Night shift", condition: "hour > 22" }) { name } }'

    const created = await post(mutation)
    const refused = await post(mutation, { 'x-loyal-tenant': 'read-only' })

    expect(created).toEqual({ data: { createRule: { name: 'Night shift' } } })
    expect(refused.errors[0].extensions).toMatchObject({
      code: 'FORBIDDEN',
      required: ['rules:write'],
    })
  })
})
