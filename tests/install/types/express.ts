// Compiled as .mts and .cts (node16) and .ts (bundler) against the installed package.
import { LoyalAuth } from '@loyal-auth/core'
import { loyal, requireScopes } from '@loyal-auth/express'
import express from 'express'

const auth = new LoyalAuth({ apiKey: 'key' })
const app = express()

app.use(loyal({ auth }))
app.get('/users', requireScopes('users:read'), async (req, res) => {
  const upstream: Response = await req.loyal.fetch('/users')

  res.status(upstream.status).json(await upstream.json())
})

export { app }
