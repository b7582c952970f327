// Apollo Server: a resolver reads the Loyal API through a LoyalDataSource.
export default async function scenario({ load, api, assert }) {
  const { LoyalAuth } = await load('@loyal-auth/core')
  const { LoyalDataSource } = await load('@loyal-auth/apollo')
  const { ApolloServer } = await load('@apollo/server')
  const auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url })

  class Users extends LoyalDataSource {
    list() {
      return this.get('/users')
    }
  }

  const server = new ApolloServer({
    typeDefs: 'type Query { userCount: Int! }',
    resolvers: {
      Query: { userCount: async (_, __, { users }) => (await users.list()).length },
    },
  })

  try {
    const response = await server.executeOperation(
      { query: '{ userCount }' },
      { contextValue: { users: new Users({ auth }) } }
    )
    const { singleResult } = response.body

    assert.equal(singleResult.errors, undefined, JSON.stringify(singleResult.errors))
    assert.ok(singleResult.data.userCount > 0)
    assert.equal(api.counters.tokenRequests, 1)

    return `apollo: { userCount } = ${singleResult.data.userCount}`
  } finally {
    await server.stop()
    await auth.close()
  }
}
