import { GraphQLError } from 'graphql'
import type { EmpowerAPI, NewRule } from './empower-api.js'

export interface Context {
  dataSources: { empower: EmpowerAPI }
}

export const typeDefs = /* GraphQL */ `
  "A group of providers and how they are rated."
  type Rollup {
    id: Int!
    name: String!
    providerCount: Int!
    averageRating: Float!
  }

  type ProviderTotals {
    providerId: Int!
    reviews: Int!
    averageRating: Float!
    surveys: Int!
  }

  type Location {
    locationId: Int!
    name: String!
    city: String!
    state: String!
  }

  type Rule {
    id: Int!
    name: String!
    condition: String!
    enabled: Boolean!
  }

  input NewRule {
    name: String!
    condition: String!
    enabled: Boolean = true
  }

  type Query {
    "A page of rollups: a bare list cut by offset and limit, as the Loyal API pages."
    rollups(offset: Int = 0, limit: Int = 10): [Rollup!]!
    "null when there is no such rollup."
    rollup(id: Int!): Rollup
    providerTotals(providerId: Int!): ProviderTotals
    "Totals of many providers in one upstream request."
    providersTotals(providerIds: [Int!]!): [ProviderTotals!]!
    location(locationId: Int!): Location
    rules: [Rule!]!
  }

  type Mutation {
    "Needs the rules:write scope."
    createRule(rule: NewRule!): Rule!
  }
`

type Resolver<Args, Result> = (parent: unknown, args: Args, context: Context) => Promise<Result>

// A missing item is an answer (null), not a failure.
async function orNull<T>(pending: Promise<T>): Promise<T | null> {
  try {
    return await pending
  } catch (error) {
    if (error instanceof GraphQLError && error.extensions.code === 'NOT_FOUND') return null

    throw error
  }
}

const rollups: Resolver<{ offset: number; limit: number }, unknown> = (_, args, { dataSources }) =>
  dataSources.empower.rollups(args.offset, args.limit)

const rollup: Resolver<{ id: number }, unknown> = (_, { id }, { dataSources }) =>
  orNull(dataSources.empower.rollup(id))

const providerTotals: Resolver<{ providerId: number }, unknown> = (_, args, { dataSources }) =>
  orNull(dataSources.empower.providerTotals(args.providerId))

const providersTotals: Resolver<{ providerIds: number[] }, unknown> = (_, args, context) =>
  context.dataSources.empower.providersTotals(args.providerIds)

const location: Resolver<{ locationId: number }, unknown> = (_, args, { dataSources }) =>
  orNull(dataSources.empower.location(args.locationId))

const rules: Resolver<unknown, unknown> = (_, _args, { dataSources }) => dataSources.empower.rules()

const createRule: Resolver<{ rule: NewRule }, unknown> = (_, { rule }, { dataSources }) =>
  dataSources.empower.createRule(rule)

export const resolvers = {
  Query: { rollups, rollup, providerTotals, providersTotals, location, rules },
  Mutation: { createRule },
}
