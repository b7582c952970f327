import { LoyalAuth } from '@loyal-auth/core'
import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'
import type { Request, Response } from 'express'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loyal } from '../src/index.js'
import { closeAfterEach } from './helpers/close-after-each.js'
import { expressMajors } from './helpers/majors.js'
import { type Served, serve } from './helpers/serve.js'

let api: LoyalApi

beforeAll(async () => {
  api = await startLoyalApi()
})

afterAll(async () => {
  await api.close()
})

describe.each(expressMajors)('req.loyal on %s', (_major, express) => {
  const track = closeAfterEach()

  async function getJson(served: Served, path: string): Promise<unknown> {
    const response = await fetch(`${served.url}${path}`)

    expect(response.status).toBe(200)

    return response.json()
  }

  /** What a handler sees of `req.loyal`. */
  function seen(req: Request): object {
    const context = req.loyal as Request['loyal'] | undefined

    return { own: Object.hasOwn(req, 'loyal'), clientId: context?.token.clientId ?? null }
  }

  const clientId = () => api.client.clientId

  it('adds no own property to the request (V8 charges ~2 µs for each one on Express requests)', async () => {
    const app = express()

    app.use(loyal({ auth: track(new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url })) }))
    app.get('/seen', (req, res) => void res.json(seen(req)))

    const served = track(await serve(app))

    expect(await getJson(served, '/seen')).toEqual({ own: false, clientId: clientId() })
  })

  it('reads the same inside a mounted app, and is unset where loyal() did not run', async () => {
    const auth = track(new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url }))
    const app = express()
    const mounted = express()
    const guarded = express()

    app.get('/open', (req, res) => void res.json(seen(req)))
    guarded.use(loyal({ auth }))
    guarded.get('/inner', (req, res) => void res.json(seen(req)))
    app.use('/guarded', guarded)
    app.get('/guarded/after', (req, res) => void res.json(seen(req)))
    app.use(loyal({ auth }))
    mounted.get('/inner', (req, res) => void res.json(seen(req)))
    app.use('/mounted', mounted)

    const served = track(await serve(app))
    const set = { own: false, clientId: clientId() }

    expect(await getJson(served, '/open')).toEqual({ own: false, clientId: null })
    expect(await getJson(served, '/guarded/inner')).toEqual(set)
    expect(await getJson(served, '/guarded/after')).toEqual(set)
    expect(await getJson(served, '/mounted/inner')).toEqual(set)
  })

  it('is an ordinary property on a Router served by node:http alone', async () => {
    const router = express.Router()

    router.use(loyal({ auth: track(new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url })) }))
    router.get('/seen', (req: Request, res: Response) => {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify(seen(req)))
    })

    const served = track(
      await serve((req, res) => {
        router(req as Request, res as Response, () => {
          res.statusCode = 404
          res.end()
        })
      })
    )

    expect(await getJson(served, '/seen')).toEqual({ own: true, clientId: clientId() })
  })

  it('takes an assignment by the app, for that request only', async () => {
    const auth = track(new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url }))
    const app = express()

    app.use(loyal({ auth }))
    app.get('/replaced', (req, res) => {
      const replaced = { ...req.loyal, can: () => false }

      req.loyal = replaced
      res.json({ own: Object.hasOwn(req, 'loyal'), replaced: req.loyal === replaced })
    })
    app.get('/seen', (req, res) => void res.json(seen(req)))

    const served = track(await serve(app))

    expect(await getJson(served, '/replaced')).toEqual({ own: false, replaced: true })
    expect(await getJson(served, '/seen')).toEqual({ own: false, clientId: clientId() })
  })
})
