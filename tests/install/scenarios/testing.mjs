// The embedded API on its own: its token endpoint answers the documented request.
export default async function scenario({ api, assert }) {
  const response = await fetch(`${api.url}/auth/client/token`, {
    method: 'POST',
    headers: { Authorization: `ApiKey ${api.apiKey}` },
  })
  const body = await response.json()

  assert.equal(response.status, 200)
  assert.equal(body.authenticated, true)
  assert.equal(body.token.split('.').length, 3, 'the token is a JWT')

  const users = await fetch(`${api.url}/users`, {
    headers: { Authorization: `Bearer ${body.token}` },
  })

  assert.equal(users.status, 200)
  assert.equal(api.counters.tokenRequests, 1)

  return `testing: token endpoint ${response.status}, GET /users ${users.status}`
}
