import { assertScopes, isLoyalError, type LoyalToken, parseToken } from '@loyal-auth/core'
import type { AxiosInstance } from 'axios'
import { DOCS_EXAMPLE_TOKEN } from './docs-token.js'
import { clockTime, count, heading, type Print, remaining, row, seconds } from './print.js'
import type { Target } from './target.js'

/** A token fetch, as the `tokenFetched` hook reported it. */
export interface Fetched {
  at: number
  expiresAt: Date
}

export async function whoAmI(print: Print, target: Target): Promise<void> {
  const me = await target.auth.describe()

  heading(print, 'Who am I: auth.describe() decodes the token (the token itself is never printed)')
  row(print, 'client', `${me.clientName ?? '(no name claim)'} (${me.clientId ?? 'no ClientId'})`)
  row(print, 'roles', me.roles.join(', ') || '(none)')
  row(print, 'scopes', me.hasScopeInfo ? me.scopes.join(' ') : '(no scope claim)')
  row(
    print,
    'expires',
    `${clockTime(me.expiresAt)}, in ${remaining(me.expiresAt.getTime() - Date.now())}`
  )
}

export async function allowedCalls(print: Print, target: Target, client: AxiosInstance) {
  heading(print, 'Calls through axios: createLoyalAxios() adds the bearer, refreshes on a 401')

  const read = await client.get<unknown[]>(target.readPath)
  row(print, 'read', `GET ${target.readPath} -> ${read.status}, ${read.data.length} items`)

  if (target.write === undefined) {
    row(print, 'write', 'skipped: the demo does not change data on a real API')

    return
  }

  const { path, body } = target.write
  const written = await client.post<{ id: number; name: string }>(path, body)
  const rule = written.data
  row(print, 'write', `POST ${path} -> ${written.status}, created rule #${rule.id} "${rule.name}"`)
}

export async function forbiddenCall(print: Print, target: Target, client: AxiosInstance) {
  const { method, path, scope, send } = target.forbidden
  const call = `${method} ${path}`

  heading(print, `A call the token may not make: ${call} needs "${scope}"`)

  try {
    assertScopes(await target.auth.getToken(), [scope])
    row(print, 'check', 'the token has no scope claim: the API decides')
  } catch (error) {
    if (!isLoyalError(error)) throw error

    row(print, 'check', `assertScopes() refused it before sending: ${error.code}`, error.message)
  }

  if (!send) return

  const refused = await client.request({ method, url: path, validateStatus: () => true })
  const message = (refused.data as { message?: string }).message ?? refused.statusText

  row(print, 'the API', `sent anyway, to show the API agrees: ${refused.status} ${message}`)
}

/**
 * Calls the API every 250 ms until the first token has expired, then says what happened:
 * a new token was fetched in the background and no call waited for it or failed.
 */
export async function silentRefresh(
  print: Print,
  target: Target,
  client: AxiosInstance,
  fetched: readonly Fetched[]
) {
  heading(print, 'A token that expires while you work')

  if (target.api === undefined) {
    row(print, 'skipped', 'real tokens live 24 hours; run without LOYAL_* to see a refresh')

    return
  }

  const first = fetched[0] as Fetched
  const start = Date.now()
  const outcome = { calls: 0, ok: 0, waited: 0 }

  while (Date.now() < first.expiresAt.getTime() + 300 && Date.now() - start < 8_000) {
    if (target.auth.peekToken() === undefined) outcome.waited += 1

    const response = await client.get(target.readPath, { validateStatus: () => true })
    outcome.calls += 1
    if (response.status === 200) outcome.ok += 1

    await new Promise((resolve) => setTimeout(resolve, 250))
  }

  reportRefresh(print, outcome, fetched, start)
}

function reportRefresh(
  print: Print,
  outcome: { calls: number; ok: number; waited: number },
  fetched: readonly Fetched[],
  start: number
) {
  const [first, ...refreshes] = fetched as [Fetched, ...Fetched[]]
  const answered = outcome.ok === outcome.calls ? 'all answered 200' : `${outcome.ok} answered 200`
  const waited = outcome.waited === 0 ? 'none waited for a token' : `${outcome.waited} waited`
  // Each refresh is judged against the token it replaced, not against the first one.
  const refreshLines = refreshes.map((refresh, index) => {
    const previous = fetched[index] as Fetched
    const ahead = refresh.at < previous.expiresAt.getTime()
    const when = `${ahead ? 'before' : 'after'} #${index + 1} expired`

    return `#${index + 2} fetched in the background ${seconds(refresh.at - start)} in (${when})`
  })

  row(
    print,
    'calls',
    `${outcome.calls} calls over ${seconds(Date.now() - start)}: ${answered}, ${waited}`
  )
  row(print, 'token #1', `expired at ${clockTime(first.expiresAt)}, during the calls`)
  row(print, 'refresh', ...(refreshLines.length > 0 ? refreshLines : ['none (unexpected)']))
  row(
    print,
    'requests',
    `${count(fetched.length, 'token request')} so far (1 + ${count(refreshes.length, 'refresh', 'refreshes')}): ` +
      'the caller noticed nothing'
  )
}
export function docsExampleToken(print: Print): void {
  const token: LoyalToken = parseToken(DOCS_EXAMPLE_TOKEN)

  heading(print, 'The example token of the Loyal docs, decoded as a fixture (never sent)')
  row(print, 'client', `${token.clientName} (${token.clientId})`)
  row(print, 'roles', token.roles.join(', '))
  row(
    print,
    'scopes',
    token.hasScopeInfo ? token.scopes.join(' ') : 'no scope claim: scope checks answer "unknown"',
    `(can("read", "users") is ${token.can('read', 'users')}), so guards let the API decide`
  )
  row(print, 'expired', `${token.expiresAt.toISOString()} (isExpired(): ${token.isExpired()})`)
}
