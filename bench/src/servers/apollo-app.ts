/**
 * Apollo Server 5 with one query resolved through a REST data source, created per operation:
 * LoyalDataSource when the request says `x-variant: loyal`, else a plain RESTDataSource that
 * sets a fixed Authorization header. Both use the same transport (globalThis.fetch, which is
 * LoyalDataSource's default), so the difference is loyal-auth's layer alone.
 */
import { RESTDataSource } from '@apollo/datasource-rest'
import { ApolloServer } from '@apollo/server'
import { startStandaloneServer } from '@apollo/server/standalone'
import { LoyalAuth, LoyalDataSource } from '@loyal-auth/apollo'
import { serveChildProtocol } from '../child.js'

const upstream = process.env.UPSTREAM_URL!
const token = process.env.BENCH_TOKEN!
const fetch = globalThis.fetch as unknown as NonNullable<
  ConstructorParameters<typeof RESTDataSource>[0]
>['fetch']

interface Rollup {
  id: number
  name: string
  total: number
}

class LoyalRollups extends LoyalDataSource {
  rollup(id: number): Promise<Rollup> {
    return this.get<Rollup>(`empower/rollups/${id}`)
  }
}

class PlainRollups extends RESTDataSource {
  override baseURL = `${upstream}/`

  override willSendRequest(_path: string, request: { headers: Record<string, string> }): void {
    request.headers.authorization = `Bearer ${token}`
  }

  rollup(id: number): Promise<Rollup> {
    return this.get<Rollup>(`empower/rollups/${id}`)
  }
}

interface Context {
  rollups: { rollup(id: number): Promise<Rollup> }
}

const auth = new LoyalAuth({ apiKey: 'bench-api-key', baseUrl: upstream })
await auth.getToken()

const server = new ApolloServer<Context>({
  typeDefs: `#graphql
    type Rollup { id: Int! name: String! total: Int! }
    type Query { rollup(id: Int!): Rollup }
  `,
  resolvers: {
    Query: { rollup: (_parent, args: { id: number }, ctx) => ctx.rollups.rollup(args.id) },
  },
})

const { url } = await startStandaloneServer(server, {
  listen: { port: 0, host: '127.0.0.1' },
  context: async ({ req }) => ({
    rollups:
      req.headers['x-variant'] === 'loyal'
        ? new LoyalRollups({ auth, cache: server.cache })
        : new PlainRollups({ cache: server.cache, fetch }),
  }),
})

serveChildProtocol(url.replace(/\/$/, ''), async () => {
  await server.stop()
  await auth.close()
})
