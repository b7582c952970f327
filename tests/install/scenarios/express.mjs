// Express: the middleware gives each request a bound fetch to the Loyal API.
export default async function scenario({ load, peer, api, assert }) {
  const { LoyalAuth } = await load('@loyal-auth/core')
  const { loyal } = await load('@loyal-auth/express')
  const express = await peer('express')
  const auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url })
  const app = express()

  app.use(loyal({ auth }))
  app.get('/users', async (req, res, next) => {
    try {
      const upstream = await req.loyal.fetch('/users')

      res.status(upstream.status).json(await upstream.json())
    } catch (error) {
      next(error)
    }
  })

  const server = await listen(app)

  try {
    const response = await fetch(`http://127.0.0.1:${server.address().port}/users`)

    assert.equal(response.status, 200)
    assert.ok(Array.isArray(await response.json()))
    assert.equal(api.counters.tokenRequests, 1)

    return `express: GET /users through the middleware ${response.status}`
  } finally {
    server.close()
    await auth.close()
  }
}

function listen(app) {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server))
  })
}
