/**
 * Express 5 with one trivial route three times: behind loyal() at /loyal, bare at /plain, and
 * behind a middleware that only calls next() at /noop (what any middleware costs in Express).
 */
import type { AddressInfo } from 'node:net'
import { LoyalAuth } from '@loyal-auth/core'
import { loyal } from '@loyal-auth/express'
import express, { type Request, type Response } from 'express'
import { serveChildProtocol } from '../child.js'

const auth = new LoyalAuth({ apiKey: process.env.API_KEY!, baseUrl: process.env.API_URL! })
await auth.getToken()

const body = { id: 1, name: 'Piedmont rollup', total: 42 }
const handler = (_req: Request, res: Response) => {
  res.json(body)
}

const app = express()
app.get('/plain', handler)
app.get('/loyal', loyal({ auth }), handler)
app.get('/noop', (_req, _res, next) => next(), handler)

const server = app.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo
  serveChildProtocol(`http://127.0.0.1:${port}`, () => auth.close())
})
