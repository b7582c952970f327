/**
 * Koa 3 with one trivial route three times: behind loyal() at /loyal, bare at /plain, and behind
 * a middleware that only calls next() at /noop (what any middleware costs in Koa).
 */
import type { AddressInfo } from 'node:net'
import { LoyalAuth } from '@loyal-auth/core'
import { loyal } from '@loyal-auth/koa'
import Koa, { type Middleware } from 'koa'
import { serveChildProtocol } from '../child.js'

const auth = new LoyalAuth({ apiKey: process.env.API_KEY!, baseUrl: process.env.API_URL! })
await auth.getToken()

const body = { id: 1, name: 'Piedmont rollup', total: 42 }
const withLoyal = loyal({ auth })

// The same tiny router in front of both paths, so they differ only by loyal().
const noop: Middleware = (_ctx, next) => next()
const route: Middleware = (ctx, next) => {
  if (ctx.path === '/loyal') return withLoyal(ctx, next)
  if (ctx.path === '/noop') return noop(ctx, next)

  return next()
}

const app = new Koa()
app.use(route)
app.use((ctx) => {
  ctx.body = body
})

const server = app.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo
  serveChildProtocol(`http://127.0.0.1:${port}`, () => auth.close())
})
