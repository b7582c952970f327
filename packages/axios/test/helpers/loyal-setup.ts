import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { inspect } from 'node:util'
import { LoyalAuth, type LoyalAuthOptions } from '@loyal-auth/core'
import { type LoyalApi, type StartLoyalApiOptions, startLoyalApi } from '@loyal-auth/testing'
import { expect } from 'vitest'

export interface LoyalSetup {
  api: LoyalApi
  auth: LoyalAuth
  close(): Promise<void>
}

/** The embedded API and a `LoyalAuth` for its default client. */
export async function setup(
  apiOptions: StartLoyalApiOptions = {},
  authOptions: Partial<LoyalAuthOptions> = {}
): Promise<LoyalSetup> {
  const api = await startLoyalApi(apiOptions)
  const auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url, ...authOptions })

  return {
    api,
    auth,
    async close() {
      await auth.close()
      await api.close()
    },
  }
}

/** A request as a plain server (not the API) received it. */
export interface SeenRequest {
  method: string
  url: string
  /** Every `Authorization` value received. */
  authorization: string[]
  /** Lower-case names, as Node reads them. */
  headers: Record<string, unknown>
}

/**
 * A plain HTTP server that records what reaches it: a host that must never see our bearer.
 * It answers 200, or 401 to paths under `/401`.
 */
export interface Recorder {
  url: string
  seen: SeenRequest[]
  close(): Promise<void>
}

export async function startRecorder(host = '127.0.0.1'): Promise<Recorder> {
  const seen: SeenRequest[] = []
  const server = createServer((req, res) => {
    seen.push(record(req))
    req.resume()

    // `/bounce?to=<url>` sends the request on, method and body kept (307).
    const bounceTo = new URL(req.url ?? '/', 'http://recorder').searchParams.get('to')
    if (req.url?.startsWith('/bounce') && bounceTo !== null) {
      res.writeHead(307, { location: bounceTo }).end()

      return
    }

    res.statusCode = req.url?.startsWith('/401') ? 401 : 200
    res.setHeader('content-type', 'application/json')
    res.end(JSON.stringify({ ok: true }))
  })

  await new Promise<void>((resolve) => server.listen(0, host, resolve))

  return { url: urlOf(server, host), seen, close: () => closeServer(server) }
}

function record(req: IncomingMessage): SeenRequest {
  const authorization: string[] = []

  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]?.toLowerCase() === 'authorization') {
      authorization.push(req.rawHeaders[i + 1] ?? '')
    }
  }

  return { method: req.method ?? '', url: req.url ?? '', authorization, headers: req.headers }
}

function urlOf(server: Server, host: string): string {
  return `http://${host}:${(server.address() as AddressInfo).port}`
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections()

  return new Promise((resolve) => server.close(() => resolve()))
}

/**
 * Asserts that no way of looking at `value` shows any of `secrets`: JSON, `util.inspect`
 * (deep, hidden properties too), `message`, `stack`, `toJSON()`, and the nested `config`,
 * `request`, `response` and `cause`.
 */
export function expectNoSecrets(value: unknown, secrets: readonly string[]): void {
  const error = value as Record<string, unknown> & { toJSON?: () => unknown }
  const views = [
    safeJson(value),
    inspect(value, { depth: 8 }),
    inspect(value, { depth: 4, showHidden: true }),
    String(error?.message),
    String(error?.stack),
    safeJson(error?.toJSON?.()),
    inspect(error?.config, { depth: 8 }),
    inspect(error?.request, { depth: 8 }),
    inspect(error?.response, { depth: 8 }),
    inspect(error?.cause, { depth: 8 }),
  ]

  for (const secret of secrets) {
    expect(secret.length).toBeGreaterThan(8)

    for (const view of views) expect(view).not.toContain(secret)
  }
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? ''
  } catch (error) {
    return String(error)
  }
}
