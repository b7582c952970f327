import { pathToFileURL } from 'node:url'
import { startServer } from './server.js'
import { openTarget } from './target.js'

/**
 * Starts the GraphQL server on `PORT` (default 4000) in front of the Loyal API named by
 * `LOYAL_API_KEY` and `LOYAL_BASE_URL`, or an embedded one when neither is set. Stops on
 * SIGINT/SIGTERM.
 */
export async function main(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const target = await openTarget(env)
  const me = await target.auth.describe()
  const server = await startServer({
    auth: target.auth,
    tenants: target.tenants,
    port: Number(env.PORT ?? 4000),
  })

  console.log(`Loyal API: ${target.label}`)
  console.log(`Client:    ${me.clientName ?? me.clientId ?? 'unnamed'} (${me.scopes.join(' ')})`)
  console.log(`GraphQL:   ${server.url}\n`)
  console.log('Try:')
  console.log(`  curl -s ${server.url} -H 'content-type: application/json' \\`)
  console.log(`    -d '{"query":"{ rollups(limit: 3) { id name averageRating } }"}'\n`)

  const stop = async () => {
    await server.stop()
    await target.close()
  }

  process.once('SIGINT', stop)
  process.once('SIGTERM', stop)
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error(`The example could not start: ${error instanceof Error ? error.message : error}`)
    process.exitCode = 1
  })
}
