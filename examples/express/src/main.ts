import type { AddressInfo } from 'node:net'
import { LoyalAuth } from '@loyal-auth/core'
import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'
import { createApp } from './app.js'

// With LOYAL_API_KEY (and optionally LOYAL_BASE_URL) this talks to that API; without, it starts
// the embedded Loyal API on loopback so the example runs with no account.
async function connect(): Promise<{ auth: LoyalAuth; api?: LoyalApi }> {
  const apiKey = process.env.LOYAL_API_KEY
  const baseUrl = process.env.LOYAL_BASE_URL

  if (apiKey !== undefined && apiKey !== '') return { auth: new LoyalAuth({ apiKey, baseUrl }) }

  const api = await startLoyalApi()

  console.log(`No LOYAL_API_KEY: using the embedded Loyal API at ${api.url}`)

  return { auth: new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url }), api }
}

const { auth, api } = await connect()
const { clientName, scopes } = await auth.describe()
const server = createApp(auth).listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

  console.log(`Serving ${clientName} (${scopes.join(' ') || 'no scope claim'}) on ${url}. Try:`)
  console.log(`  curl ${url}/rollups?limit=3`)
  console.log(`  curl ${url}/providers/101/totals`)
  console.log(
    `  curl -X POST ${url}/rules -H 'content-type: application/json' -d '{"name":"Flag late claims"}'`
  )
  console.log(`  curl ${url}/loyal/empower/locations/201`)
})

async function shutdown(): Promise<void> {
  server.close()
  await auth.close()
  await api?.close()
}

process.once('SIGINT', () => void shutdown())
process.once('SIGTERM', () => void shutdown())
