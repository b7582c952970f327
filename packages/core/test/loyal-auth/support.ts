import { inspect } from 'node:util'
import { type LoyalApi, type StartLoyalApiOptions, startLoyalApi } from '@loyal-auth/testing'
import { afterEach, expect } from 'vitest'
import type { Logger } from '../../src/index.js'
import { LoyalAuth, type LoyalAuthOptions } from '../../src/index.js'

/** A clock both the embedded API and LoyalAuth read, moved by hand. */
export interface TestClock {
  now(): number
  advance(ms: number): void
  set(ms: number): void
}

export function createClock(start = Date.now()): TestClock {
  let current = start

  return {
    now: () => current,
    advance: (ms) => {
      current += ms
    },
    set: (ms) => {
      current = ms
    },
  }
}

export interface LogEntry {
  level: keyof Logger
  event: string
  fields: Record<string, unknown>
  message: string | undefined
}

/** A pino-shaped logger that keeps what it is given. */
export function captureLogger(): Logger & {
  entries: LogEntry[]
  events(name: string): LogEntry[]
} {
  const entries: LogEntry[] = []
  const method =
    (level: keyof Logger) =>
    (object: object, message?: string): void => {
      const fields = object as Record<string, unknown>
      entries.push({ level, event: String(fields.event), fields, message })
    }

  return {
    entries,
    events: (name) => entries.filter((entry) => entry.event === name),
    debug: method('debug'),
    info: method('info'),
    warn: method('warn'),
    error: method('error'),
  }
}

const cleanups: Array<() => Promise<void>> = []

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

/** Starts the embedded API for one test; it is closed after the test. */
export async function startApi(options: StartLoyalApiOptions = {}): Promise<LoyalApi> {
  const api = await startLoyalApi(options)
  cleanups.push(() => api.close())

  return api
}

/** A LoyalAuth on `api`, closed after the test. Fast retries unless the test says otherwise. */
export function authFor(api: LoyalApi, options: Partial<LoyalAuthOptions> = {}): LoyalAuth {
  const auth = new LoyalAuth({
    apiKey: api.apiKey,
    baseUrl: api.url,
    retry: { baseDelay: 5, maxDelay: 20 },
    ...options,
  })
  cleanups.push(() => auth.close())

  return auth
}

/** Rejection of `promise`, failing the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise
  } catch (error) {
    return error
  }

  throw new Error('expected a rejection')
}

/** Every way an error can be shown or serialised, nested `cause`s included. */
export function renderingsOf(error: unknown): string[] {
  const shown: string[] = [inspect(error, { depth: 10, showHidden: true }), JSON.stringify(error)]

  for (let current = error; current instanceof Error; current = current.cause) {
    const record = current as Error & { toJSON?: () => unknown }
    shown.push(current.message, current.stack ?? '', JSON.stringify(record.toJSON?.() ?? {}))
  }

  return shown
}

/** Asserts none of `secrets` appears in any rendering of `value`. */
export function expectNoSecrets(value: unknown, secrets: readonly string[]): void {
  const renderings = typeof value === 'string' ? [value] : renderingsOf(value)

  for (const text of renderings) {
    for (const secret of secrets) expect(text).not.toContain(secret)
  }
}

/** Resolves once `condition` holds, polling the event loop (no fixed sleeps). */
export async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now()

  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not reached in time')
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}
