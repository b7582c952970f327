import type { RequestOptions } from '@apollo/datasource-rest'
import type { Rollup, Rule } from '@loyal-auth/testing'
import { LoyalDataSource } from '../../src/index.js'

/** The data source the tests serve: one method per Loyal route they exercise. */
export class EmpowerAPI extends LoyalDataSource {
  rollup(id: number): Promise<Rollup> {
    return this.get(`empower/rollups/${id}`)
  }

  /** A GET that `signal` can abort. */
  rollupUntil(id: number, signal: AbortSignal): Promise<Rollup> {
    return this.get(`empower/rollups/${id}`, { signal })
  }

  /** Kept in the shared cache for a minute, so a wrong cache key would show. */
  cachedRollup(id: number): Promise<Rollup> {
    return this.get(`/empower/rollups/${id}`, { cacheOptions: { ttl: 60 } })
  }

  rollups(offset: number, limit: number): Promise<Rollup[]> {
    return this.get('empower/rollups', { params: { offset: String(offset), limit: String(limit) } })
  }

  providerTotals(ids: number[]): Promise<Array<{ providerId: number; reviews: number }>> {
    return this.post('empower/providers/totals', { body: ids })
  }

  /** Any URL, relative to the API or absolute. */
  async visit(url: string): Promise<boolean> {
    await this.get(url)

    return true
  }

  rules(): Promise<Rule[]> {
    return this.get('rules', { cacheOptions: { ttl: 60 } })
  }

  async createRule(input: { name: string; condition: string }): Promise<Rule> {
    await this.requireScopes('rules:write')

    return this.post('rules', { body: { ...input, enabled: true } })
  }
}

/**
 * Memoises GETs for the whole operation (the old RESTDataSource behaviour), the policy under
 * which a memoised failure would do the most harm.
 */
export class MemoisingEmpowerAPI extends EmpowerAPI {
  protected override requestDeduplicationPolicyFor(url: URL, request: RequestOptions) {
    const policy = super.requestDeduplicationPolicyFor(url, request)

    if (policy.policy !== 'deduplicate-during-request-lifetime') return policy

    return { ...policy, policy: 'deduplicate-until-invalidated' as const }
  }
}

export interface Context {
  empower: EmpowerAPI
}

export const typeDefs = /* GraphQL */ `
  type Rollup {
    id: Int!
    name: String!
    clientId: String
  }

  type ProviderTotals {
    providerId: Int!
    reviews: Int!
  }

  type Rule {
    id: Int!
    name: String!
  }

  type Query {
    rollup(id: Int!): Rollup
    cachedRollup(id: Int!): Rollup
    "Fetches the rollup, and once more if the first attempt failed."
    rollupSecondTry(id: Int!): Rollup
    rollups(offset: Int = 0, limit: Int = 10): [Rollup!]!
    providerTotals(ids: [Int!]!): [ProviderTotals!]!
    rules: [Rule!]!
    visit(url: String!): Boolean
  }

  type Mutation {
    createRule(name: String!, condition: String!): Rule!
  }
`

type Args = Record<string, unknown>

export const resolvers = {
  Query: {
    rollup: (_: unknown, { id }: Args, { empower }: Context) => empower.rollup(id as number),
    cachedRollup: (_: unknown, { id }: Args, { empower }: Context) =>
      empower.cachedRollup(id as number),
    rollupSecondTry: async (_: unknown, { id }: Args, { empower }: Context) => {
      await empower.rollup(id as number).catch(() => undefined)

      return empower.rollup(id as number)
    },
    rollups: (_: unknown, { offset, limit }: Args, { empower }: Context) =>
      empower.rollups(offset as number, limit as number),
    providerTotals: (_: unknown, { ids }: Args, { empower }: Context) =>
      empower.providerTotals(ids as number[]),
    rules: (_: unknown, _args: Args, { empower }: Context) => empower.rules(),
    visit: (_: unknown, { url }: Args, { empower }: Context) => empower.visit(url as string),
  },
  Mutation: {
    createRule: (_: unknown, args: Args, { empower }: Context) =>
      empower.createRule(args as { name: string; condition: string }),
  },
}
