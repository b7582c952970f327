// Core alone: a token from the embedded API, then an authenticated call with auth.fetch.
export default async function scenario({ load, api, assert }) {
  const { LoyalAuth, isLoyalError } = await load('@loyal-auth/core')
  const auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url })

  try {
    const token = await auth.getToken()

    assert.equal(typeof token.value, 'string')
    assert.ok(token.expiresAt > new Date(), 'the token is not expired')

    const response = await auth.fetch('/users')

    assert.equal(response.status, 200)
    assert.ok(Array.isArray(await response.json()), 'GET /users lists users')
    assert.equal(isLoyalError(new Error('plain')), false)

    return `core: token for ${token.clientId}, GET /users ${response.status}`
  } finally {
    await auth.close()
  }
}
