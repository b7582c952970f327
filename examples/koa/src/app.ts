import { bodyParser } from '@koa/bodyparser'
import Router from '@koa/router'
import { errorFromResponse, type LoyalAuth } from '@loyal-auth/core'
import { loyal, loyalErrorHandler, loyalProxy, requireScopes } from '@loyal-auth/koa'
import Koa, { type Context } from 'koa'

/**
 * A small service over Empower data: two reads, one guarded write, and a browser-facing
 * proxy for the rest of Empower. Every upstream call carries the server's token.
 */
export function createApp(auth: LoyalAuth): Koa {
  const app = new Koa()
  const router = new Router()

  router.get('/rollups', async (ctx) => {
    const offset = Number(ctx.query.offset ?? 0)
    const limit = Number(ctx.query.limit ?? 10)
    const path = `/empower/rollups?offset=${offset}&limit=${limit}`

    await relay(ctx, 'GET', await ctx.state.loyal.fetch(path))
  })

  router.get('/providers/:id/totals', async (ctx) => {
    const path = `/empower/providers/${encodeURIComponent(ctx.params.id ?? '')}/totals`

    await relay(ctx, 'GET', await ctx.state.loyal.fetch(path))
  })

  // Refused with 403 here, before any call, when the token lacks `rules:write`.
  router.post('/rules', requireScopes('rules:write'), async (ctx) => {
    const upstream = await ctx.state.loyal.fetch('/rules', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ctx.request.body ?? {}),
    })

    await relay(ctx, 'POST', upstream)
  })

  app.use(loyalErrorHandler())
  app.use(loyalProxy({ auth, prefix: '/loyal', allow: ['GET /empower/*'] }))
  app.use(bodyParser())
  app.use(loyal({ auth }))
  app.use(router.routes())
  app.use(router.allowedMethods())

  return app
}

/** Answers with the API's status and JSON; a 401 or 403 becomes a typed error instead. */
async function relay(ctx: Context, method: string, upstream: Response): Promise<void> {
  const path = new URL(upstream.url).pathname
  const body = upstream.status === 204 ? undefined : await upstream.json()
  const error = errorFromResponse(upstream, method, path, body)

  if (error !== undefined) throw error

  ctx.status = upstream.status
  ctx.body = body
}
