import type { ServerResponse } from 'node:http'
import type { ClientRegistry } from './client-registry.js'
import type { FaultBook } from './faults.js'
import type { Reply } from './http-io.js'
import { send } from './http-io.js'
import type { LoyalApiCounters, RecordedRequest } from './recorder.js'
import type { RulesStore } from './rules-store.js'
import type { TokenAuthority } from './token-authority.js'
import type { LoyalApiClient, LoyalApiSettings } from './types.js'

/** The state every request handler works on. */
export interface ServerContext {
  settings: LoyalApiSettings
  /** The API's clock: our `now()` plus the offset. */
  serverNow(): number
  clients: ClientRegistry
  defaultClient: LoyalApiClient
  authority: TokenAuthority
  faults: FaultBook
  counters: LoyalApiCounters
  requests: RecordedRequest[]
  maxRequests: number
  rules: RulesStore
  lifecycle: Lifecycle
  tokenPath: string
}

/** Timers and held responses, so `close()` can end them all. */
export class Lifecycle {
  readonly #timers = new Set<NodeJS.Timeout>()
  readonly #held = new Set<ServerResponse>()
  #closed = false

  get closed(): boolean {
    return this.#closed
  }

  /** Sleeps without keeping the process alive; never resolves once the server is closed. */
  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.#timers.delete(timer)
        resolve()
      }, ms)

      timer.unref()
      this.#timers.add(timer)
    })
  }

  /** Keeps a response open, unanswered, until the client gives up or the server closes. */
  hold(res: ServerResponse): void {
    this.#held.add(res)
    res.once('close', () => this.#held.delete(res))
  }

  get heldCount(): number {
    return this.#held.size
  }

  shutdown(): void {
    this.#closed = true

    for (const timer of this.#timers) clearTimeout(timer)
    this.#timers.clear()

    for (const res of this.#held) res.destroy()
    this.#held.clear()
  }
}

/** Sends a reply, records its status, and counts 401/403 answers of API routes. */
export function answer(
  context: ServerContext,
  res: ServerResponse,
  record: RecordedRequest,
  reply: Reply
): void {
  record.status = reply.status

  if (record.kind === 'api' && reply.status === 401) context.counters.unauthorized += 1
  if (record.kind === 'api' && reply.status === 403) context.counters.forbidden += 1

  send(res, reply, context.serverNow())
}
