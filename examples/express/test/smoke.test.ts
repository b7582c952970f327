import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { LoyalAuth } from '@loyal-auth/core'
import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../src/app.js'

let api: LoyalApi
let auth: LoyalAuth
let server: Server
let url: string

beforeAll(async () => {
  api = await startLoyalApi()
  auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url })
  server = createApp(auth).listen(0, '127.0.0.1')
  await new Promise((resolve) => server.once('listening', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  await auth.close()
  await api.close()
})

describe('example-express', () => {
  it('lists rollups', async () => {
    const response = await fetch(`${url}/rollups?limit=3`)

    expect(response.status).toBe(200)
    expect(await response.json()).toHaveLength(3)
  })

  it('shows a provider’s totals', async () => {
    const response = await fetch(`${url}/providers/101/totals`)

    expect(response.status).toBe(200)
    expect(await response.json()).toMatchObject({ providerId: 101 })
  })

  it('creates a rule with the rules:write scope', async () => {
    const response = await fetch(`${url}/rules`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Flag late claims' }),
    })

    expect(response.status).toBe(201)
    expect(await response.json()).toMatchObject({ name: 'Flag late claims' })
  })

  it('refuses the write before any call when the token lacks rules:write', async () => {
    const reader = api.addClient({
      apiKey: 'example-reader',
      scopes: ['empower:read', 'rules:read'],
    })
    const readerAuth = new LoyalAuth({ apiKey: reader.apiKey, baseUrl: api.url })
    const readerServer = createApp(readerAuth).listen(0, '127.0.0.1')

    await new Promise((resolve) => readerServer.once('listening', resolve))

    const port = (readerServer.address() as AddressInfo).port
    const before = api.counters.apiRequests
    const response = await fetch(`http://127.0.0.1:${port}/rules`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Flag late claims' }),
    })

    readerServer.closeAllConnections()
    readerServer.close()
    await readerAuth.close()
    expect(response.status).toBe(403)
    expect(await response.json()).toEqual({
      error: 'insufficient_scope',
      required: ['rules:write'],
    })
    expect(api.counters.apiRequests).toBe(before)
  })

  it('proxies Empower reads and refuses the rest', async () => {
    expect((await fetch(`${url}/loyal/empower/locations/201`)).status).toBe(200)
    expect((await fetch(`${url}/loyal/users`)).status).toBe(403)
  })

  it('made one token request per credential', () => {
    expect(api.counters.tokenRequests).toBe(2)
  })
})
