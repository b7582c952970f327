import { randomBytes } from 'node:crypto'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { handleApiRequest } from './api-endpoint.js'
import {
  ClientRegistry,
  DEFAULT_CLIENT_ID,
  DEFAULT_CLIENT_NAME,
  randomApiKey,
} from './client-registry.js'
import { FaultBook, type LoyalApiFaults } from './faults.js'
import { errorReply, readBody, send } from './http-io.js'
import {
  createCounters,
  type LoyalApiCounters,
  type RecordedRequest,
  recordRequest,
  resetCounters,
} from './recorder.js'
import { RulesStore } from './rules-store.js'
import { Lifecycle, type ServerContext } from './server-context.js'
import { checkSettings, DEFAULT_SETTINGS, pickSettings } from './settings.js'
import { TokenAuthority } from './token-authority.js'
import { handleTokenRequest, issue } from './token-endpoint.js'
import type {
  IssueTokenOptions,
  LoyalApiClient,
  LoyalApiClientOptions,
  LoyalApiSettings,
  StartLoyalApiOptions,
} from './types.js'

const TOKEN_PATH = '/auth/client/token'
const DEFAULT_MAX_REQUESTS = 10_000

/** A running embedded Loyal API. */
export interface LoyalApi extends AsyncDisposable {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:43210`. */
  readonly url: string
  readonly port: number
  /** `url` + `/auth/client/token`. */
  readonly tokenUrl: string
  /** A valid API key of the default client. */
  readonly apiKey: string
  /** The default client. */
  readonly client: LoyalApiClient
  readonly counters: LoyalApiCounters
  /** Every request received since start or the last `reset()`, oldest first. */
  readonly requests: readonly RecordedRequest[]
  readonly faults: LoyalApiFaults
  /** Current settings; change them with `configure()`. */
  readonly settings: Readonly<LoyalApiSettings>
  /** Registers more credentials (tenants). */
  addClient(options: LoyalApiClientOptions): LoyalApiClient
  /** Unregisters an API key: the token endpoint refuses it from now on. */
  removeClient(apiKey: string): boolean
  /** Changes settings while the server runs; `reset()` restores the start options. */
  configure(settings: Partial<LoyalApiSettings>): void
  /** Mints a token directly, without a request to the token endpoint. */
  issueToken(options?: IssueTokenOptions): Promise<string>
  /** The claims of a token this server would accept right now, else `undefined`. */
  verifyToken(token: string): Promise<Record<string, unknown> | undefined>
  /** Revokes one token, or every token issued so far; calls with them get 401. */
  revoke(token?: string): void
  /** The API's clock in epoch milliseconds (`now()` + `clockOffset`). */
  now(): number
  /**
   * Zeroes the counters, forgets recorded requests, clears faults and revocations, restores
   * the sample data and the start settings. Clients stay registered.
   */
  reset(): void
  /** Stops the server and ends every connection, hanging ones included. */
  close(): Promise<void>
}

/**
 * Starts a Loyal-compatible API on loopback, on a free port.
 *
 * @example
 * const api = await startLoyalApi()
 * const auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url })
 * api.faults.token({ status: 503, times: 1 })
 * await api.close()
 */
export async function startLoyalApi(options: StartLoyalApiOptions = {}): Promise<LoyalApi> {
  const initialSettings = { ...DEFAULT_SETTINGS, ...pickSettings(options) }

  checkSettings(initialSettings)
  checkStartOptions(options)

  const context = createContext(options, initialSettings)
  const server = createServer((req, res) => void handle(context, req, res))

  await listen(server, options.host ?? '127.0.0.1', options.port ?? 0)

  return createApi(context, server, initialSettings)
}

function checkStartOptions({ maxRequests, tokenPath }: StartLoyalApiOptions): void {
  if (maxRequests !== undefined && !(Number.isInteger(maxRequests) && maxRequests >= 0)) {
    throw new TypeError('"maxRequests" must be an integer >= 0')
  }
  if (tokenPath !== undefined && !/^\/[^?#]*$/.test(tokenPath)) {
    throw new TypeError('"tokenPath" must be a path starting with "/"')
  }
}

function createContext(options: StartLoyalApiOptions, settings: LoyalApiSettings): ServerContext {
  const now = options.now ?? Date.now
  const clients = new ClientRegistry()
  const defaultClient = clients.add({
    apiKey: options.apiKey ?? randomApiKey(),
    clientId: options.clientId ?? DEFAULT_CLIENT_ID,
    clientName: options.clientName ?? DEFAULT_CLIENT_NAME,
    ...(options.scopes && { scopes: options.scopes }),
    ...(options.roles && { roles: options.roles }),
  })
  const context: ServerContext = {
    settings: { ...settings },
    serverNow: () => now() + context.settings.clockOffset,
    clients,
    defaultClient,
    authority: new TokenAuthority(options.secret ?? randomBytes(32)),
    faults: new FaultBook(),
    counters: createCounters(),
    requests: [],
    maxRequests: options.maxRequests ?? DEFAULT_MAX_REQUESTS,
    rules: new RulesStore(),
    lifecycle: new Lifecycle(),
    tokenPath: options.tokenPath ?? TOKEN_PATH,
  }

  return context
}

async function handle(
  context: ServerContext,
  req: IncomingMessage,
  res: ServerResponse
): Promise<void> {
  try {
    const url = new URL(req.url ?? '/', 'http://loyal.invalid')
    const body = await readBody(req)
    const kind = url.pathname === context.tokenPath ? 'token' : 'api'
    const record = recordRequest(req, kind, url.pathname, body, context.serverNow())

    keep(context, record)
    context.counters.paths[url.pathname] = (context.counters.paths[url.pathname] ?? 0) + 1

    if (kind === 'token') await handleTokenRequest(context, res, record)
    else await handleApiRequest(context, res, record, url.searchParams)
  } catch {
    // A bug of ours or a client that went away; never echo anything from the request.
    send(res, errorReply(500), context.serverNow())
  }
}

// Trims in batches, so a long benchmark does not pay for a shift on every request.
function keep(context: ServerContext, record: RecordedRequest): void {
  const { requests, maxRequests } = context

  if (maxRequests <= 0) return

  requests.push(record)
  if (requests.length >= maxRequests + Math.ceil(maxRequests / 10)) {
    requests.splice(0, requests.length - maxRequests)
  }
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve()
    })
  })
}

function createApi(
  context: ServerContext,
  server: Server,
  initialSettings: Readonly<LoyalApiSettings>
): LoyalApi {
  const { address, port } = server.address() as AddressInfo
  const url = `http://${formatHost(address)}:${port}`
  let closing: Promise<void> | undefined

  const close = (): Promise<void> => {
    closing ??= shutdown(context, server)

    return closing
  }

  return {
    url,
    port,
    tokenUrl: `${url}${context.tokenPath}`,
    apiKey: context.defaultClient.apiKey,
    client: context.defaultClient,
    counters: context.counters,
    requests: context.requests,
    faults: context.faults,
    get settings() {
      return { ...context.settings }
    },
    addClient: (options) => context.clients.add(options),
    removeClient: (apiKey) => context.clients.remove(apiKey),
    configure: (settings) => configure(context, settings),
    issueToken: (options = {}) => issueDirect(context, options),
    verifyToken: (token) => verifyDirect(context, token),
    revoke: (token) => context.authority.revoke(token),
    now: () => context.serverNow(),
    reset: () => reset(context, initialSettings),
    close,
    [Symbol.asyncDispose]: close,
  }
}

function configure(context: ServerContext, settings: Partial<LoyalApiSettings>): void {
  const picked = pickSettings(settings)

  checkSettings(picked)
  Object.assign(context.settings, picked)
}

async function issueDirect(context: ServerContext, options: IssueTokenOptions): Promise<string> {
  const client =
    options.apiKey === undefined ? context.defaultClient : context.clients.byKey(options.apiKey)

  if (client === undefined) throw new TypeError('"apiKey" is not a registered client')

  return issue(context, client, options)
}

async function verifyDirect(
  context: ServerContext,
  token: string
): Promise<Record<string, unknown> | undefined> {
  const verdict = await context.authority.verify(token, context.serverNow())

  return verdict.ok ? verdict.claims : undefined
}

function reset(context: ServerContext, initialSettings: Readonly<LoyalApiSettings>): void {
  resetCounters(context.counters)
  context.requests.length = 0
  context.faults.clear()
  context.authority.clearRevocations()
  context.rules.reset()
  Object.assign(context.settings, initialSettings)
}

async function shutdown(context: ServerContext, server: Server): Promise<void> {
  context.lifecycle.shutdown()

  await new Promise<void>((resolve) => {
    server.close(() => resolve())
    // Idle keep-alive sockets and hanging requests would otherwise hold close() open.
    server.closeAllConnections()
  })
}

function formatHost(address: string): string {
  return address.includes(':') ? `[${address}]` : address
}
