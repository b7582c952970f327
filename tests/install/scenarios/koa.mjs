// Koa: the middleware puts a bound fetch to the Loyal API on ctx.state.loyal.
export default async function scenario({ load, peer, api, assert }) {
  const { LoyalAuth } = await load('@loyal-auth/core')
  const { loyal } = await load('@loyal-auth/koa')
  const Koa = await peer('koa')
  const auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url })
  const app = new Koa()

  app.use(loyal({ auth }))
  app.use(async (ctx) => {
    const upstream = await ctx.state.loyal.fetch('/users')

    ctx.status = upstream.status
    ctx.body = await upstream.json()
  })

  const server = await listen(app)

  try {
    const response = await fetch(`http://127.0.0.1:${server.address().port}/users`)

    assert.equal(response.status, 200)
    assert.ok(Array.isArray(await response.json()))
    assert.equal(api.counters.tokenRequests, 1)

    return `koa: GET /users through the middleware ${response.status}`
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
