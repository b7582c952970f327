/**
 * Outage tolerance, simulated: a LoyalAuth with default settings on an injected clock, against
 * an embedded API on the same clock whose token endpoint fails (503) from the moment the first
 * token is issued. The clock advances a step at a time and each step makes one call
 * (`peekToken() ?? await getToken()`, the adapters' way). The background refresh first tries
 * at the token's refresh point; the first failed call marks the end. The tolerance is the time
 * between the two: the longest outage that can start at the worst moment and cost no call.
 *
 * The refresh point is drawn at random in the refresh window; `Math.random` is pinned while the
 * first token is cached to take the window's start, middle and end. Afterwards it returns 0, so
 * backoff waits are short and simulated hours pass in real milliseconds; the waits only decide
 * how often the endpoint is retried, not when the token runs out. Hooks and a counting `fetch`
 * only observe.
 */
import { LoyalAuth } from '@loyal-auth/core'
import { startLoyalApi } from '@loyal-auth/testing'
import { sendResult } from '../child.js'

export interface OutageResult {
  draw: number
  /** ms from the first token's fetch to its background refresh's first attempt. */
  refreshAfter: number
  /** ms from the first token's fetch to the first failed call. */
  failedAfter: number
  toleranceMs: number
  backgroundAttempts: number
  tokenRequests: number
}

const stepMs = Number(process.env.STEP_MS ?? 60_000)
const draws = (process.env.DRAWS ?? '0,0.999999').split(',').map(Number)
const limit = 48 * 3_600_000
const realRandom = Math.random

let clock = Date.now()
const now = () => clock

const tick = () => new Promise((resolve) => setImmediate(resolve))

async function until(condition: () => boolean): Promise<void> {
  const giveUp = performance.now() + 5_000
  while (!condition()) {
    if (performance.now() > giveUp) throw new Error('a background refresh did not settle')
    await new Promise((resolve) => setTimeout(resolve, 1))
  }
}

async function simulate(draw: number): Promise<OutageResult> {
  const api = await startLoyalApi({ now, maxRequests: 0 })
  let fetches = 0
  let settled = 0
  const auth = new LoyalAuth({
    apiKey: api.apiKey,
    baseUrl: api.url,
    now,
    fetch: (input, init) => {
      fetches++
      return globalThis.fetch(input, init)
    },
    hooks: { refreshFailed: [() => settled++], tokenFetched: [() => settled++] },
  })

  try {
    Math.random = () => draw
    await auth.getToken()
    Math.random = () => 0
    api.faults.token({ status: 503 })

    const fetchedAt = clock
    let refreshAt: number | undefined
    let attempts = 0

    while (clock - fetchedAt < limit) {
      clock += stepMs
      const before = { fetches, settled }

      if (auth.peekToken() === undefined) {
        try {
          await auth.getToken()
        } catch {
          return {
            draw,
            refreshAfter: (refreshAt ?? clock) - fetchedAt,
            failedAfter: clock - fetchedAt,
            toleranceMs: clock - (refreshAt ?? clock),
            backgroundAttempts: attempts,
            tokenRequests: api.counters.tokenRequests,
          }
        }
      }

      // A background refresh starts within the same turn; wait for it to end.
      await tick()
      if (fetches > before.fetches) {
        refreshAt ??= clock
        attempts++
        await until(() => settled > before.settled)
      }
    }

    throw new Error('no call failed within 48 simulated hours')
  } finally {
    Math.random = realRandom
    await auth.close()
    await api.close()
  }
}

const results: OutageResult[] = []
for (const draw of draws) results.push(await simulate(draw))

sendResult({ stepMs, results })
