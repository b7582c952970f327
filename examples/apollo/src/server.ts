import { ApolloServer } from '@apollo/server'
import { startStandaloneServer } from '@apollo/server/standalone'
import type { LoyalAuth } from '@loyal-auth/core'
import { GraphQLError } from 'graphql'
import { EmpowerAPI } from './empower-api.js'
import { type Context, resolvers, typeDefs } from './schema.js'

export interface ServerOptions {
  /** The credential used when a request names no tenant. */
  auth: LoyalAuth
  /** More credentials, chosen per request by the `x-loyal-tenant` header. */
  tenants?: Readonly<Record<string, LoyalAuth>>
  /** Default 4000; 0 picks a free port. */
  port?: number
}

export interface RunningServer {
  url: string
  stop(): Promise<void>
}

/**
 * Apollo Server 5 with one `EmpowerAPI` per operation. The data sources share `server.cache`;
 * their cache keys hold each credential's fingerprint, so tenants never see each other's data.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const server = new ApolloServer<Context>({ typeDefs, resolvers })
  const authFor = (tenant: string | string[] | undefined): LoyalAuth => {
    if (tenant === undefined) return options.auth

    const auth = typeof tenant === 'string' ? options.tenants?.[tenant] : undefined

    if (auth !== undefined) return auth

    throw new GraphQLError('Unknown tenant', {
      extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } },
    })
  }

  const { url } = await startStandaloneServer(server, {
    listen: { port: options.port ?? 4000 },
    context: async ({ req }) => ({
      dataSources: {
        empower: new EmpowerAPI({
          auth: authFor(req.headers['x-loyal-tenant']),
          cache: server.cache,
          logger: server.logger,
        }),
      },
    }),
  })

  return { url, stop: () => server.stop() }
}
