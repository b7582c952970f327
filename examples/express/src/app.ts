import { errorFromResponse, type LoyalAuth } from '@loyal-auth/core'
import { loyal, loyalErrorHandler, loyalProxy, requireScopes } from '@loyal-auth/express'
import express, { type Express, type Response } from 'express'

/**
 * A small service over Empower data: two reads, one guarded write, and a browser-facing
 * proxy for the rest of Empower. Every upstream call carries the server's token.
 */
export function createApp(auth: LoyalAuth): Express {
  const app = express()

  app.use(express.json())
  app.use('/loyal', loyalProxy({ auth, allow: ['GET /empower/*'] }))
  app.use(loyal({ auth }))

  app.get('/rollups', async (req, res) => {
    const offset = Number(req.query.offset ?? 0)
    const limit = Number(req.query.limit ?? 10)

    await relay(
      res,
      'GET',
      await req.loyal.fetch(`/empower/rollups?offset=${offset}&limit=${limit}`)
    )
  })

  app.get('/providers/:id/totals', async (req, res) => {
    const path = `/empower/providers/${encodeURIComponent(req.params.id)}/totals`

    await relay(res, 'GET', await req.loyal.fetch(path))
  })

  // Refused with 403 here, before any call, when the token lacks `rules:write`.
  app.post('/rules', requireScopes('rules:write'), async (req, res) => {
    const upstream = await req.loyal.fetch('/rules', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(req.body ?? {}),
    })

    await relay(res, 'POST', upstream)
  })

  app.use(loyalErrorHandler())

  return app
}

/** Answers with the API's status and JSON; a 401 or 403 becomes a typed error instead. */
async function relay(res: Response, method: string, upstream: globalThis.Response): Promise<void> {
  const path = new URL(upstream.url).pathname
  const body = upstream.status === 204 ? undefined : await upstream.json()
  const error = errorFromResponse(upstream, method, path, body)

  if (error !== undefined) throw error

  res.status(upstream.status).json(body)
}
