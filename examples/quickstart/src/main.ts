import { pathToFileURL } from 'node:url'
import { createLoyalAxios } from '@loyal-auth/axios'
import { isLoyalError } from '@loyal-auth/core'
import { count, type Print, seconds } from './print.js'
import {
  allowedCalls,
  docsExampleToken,
  type Fetched,
  forbiddenCall,
  silentRefresh,
  whoAmI,
} from './sections.js'
import { openTarget } from './target.js'

export interface QuickstartOptions {
  /** Read for `LOYAL_API_KEY` and `LOYAL_BASE_URL`. Default: `process.env`. */
  env?: NodeJS.ProcessEnv
  /** Default: `console.log`. */
  print?: Print
}

/**
 * The quickstart tour. Without `LOYAL_API_KEY` and `LOYAL_BASE_URL` it starts an embedded Loyal
 * API with 4-second tokens; with both it talks to that API. Resolves with the exit code once
 * everything it opened is closed.
 */
export async function main(options: QuickstartOptions = {}): Promise<number> {
  const print = options.print ?? console.log
  const started = Date.now()
  const fetched: Fetched[] = []
  const onFetched = ({ token }: { token: { expiresAt: Date } }) => {
    fetched.push({ at: Date.now(), expiresAt: token.expiresAt })
  }

  try {
    const target = await openTarget(options.env ?? process.env, {
      hooks: { tokenFetched: [onFetched] },
    })

    try {
      print(`loyal-auth quickstart, against ${target.label}`)

      const client = createLoyalAxios(target.auth, { timeout: 10_000 })

      await whoAmI(print, target)
      await allowedCalls(print, target, client)
      await forbiddenCall(print, target, client)
      await silentRefresh(print, target, client, fetched)
      docsExampleToken(print)
    } finally {
      await target.close()
    }
  } catch (error) {
    print(`\nThe demo stopped: ${describe(error)}`)

    return 1
  }

  print(
    `\nDone in ${seconds(Date.now() - started)}: ${count(fetched.length, 'token request')} in all.`
  )

  return 0
}

function describe(error: unknown): string {
  if (isLoyalError(error)) return `${error.code}: ${error.message}`

  return error instanceof Error ? error.message : String(error)
}

const entry = process.argv[1]

if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  process.exitCode = await main()
}
