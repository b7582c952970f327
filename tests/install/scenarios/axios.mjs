// axios: a ready instance sends the bearer; the token is fetched once for two calls.
export default async function scenario({ load, peer, api, assert }) {
  const { LoyalAuth } = await load('@loyal-auth/core')
  const { createLoyalAxios } = await load('@loyal-auth/axios')
  const axios = await peer('axios')
  const auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url })

  try {
    const client = createLoyalAxios(auth)
    const first = await client.get('/users')
    const second = await client.get('/rules')

    assert.equal(first.status, 200)
    assert.equal(second.status, 200)
    assert.equal(api.counters.tokenRequests, 1)

    return `axios ${axios.VERSION}: GET /users ${first.status}, GET /rules ${second.status}`
  } finally {
    await auth.close()
  }
}
