// Compiled as .mts and .cts (node16) and .ts (bundler) against the installed package.
import { LoyalAuth } from '@loyal-auth/core'
import { loyal, requireScopes } from '@loyal-auth/koa'
import Koa from 'koa'

const auth = new LoyalAuth({ apiKey: 'key' })
const app = new Koa()

app.use(loyal({ auth }))
app.use(requireScopes('users:read'))
app.use(async (ctx) => {
  const upstream: Response = await ctx.state.loyal.fetch('/users')

  ctx.body = await upstream.json()
})

export { app }
