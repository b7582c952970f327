import { randomBytes, randomUUID } from 'node:crypto'

import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'
import { afterEach, describe, expect, inject, it } from 'vitest'

import { type RedisServer, startRedisServer } from './helpers/redis-server.js'
import { startWorker, type Worker, type WorkerEnv } from './helpers/worker.js'

// Short-lived tokens (exact life: `exp` in ms) so a fleet lives through expiries in seconds.
// Each process refreshes at 90-95% of the usable life (life minus a 1 s skew, minus up to 1 s
// by which the one-second `Date` header makes the API clock look ahead), i.e. 3.6-4.75 s after
// a fetch: two refreshes take longer than a token lives.
const tokenLife = 6_000
const fleetSize = 8

let api: LoyalApi | undefined
let workers: Worker[] = []
let ownRedis: RedisServer | undefined

afterEach(async () => {
  for (const worker of workers) worker.kill('SIGKILL')
  workers = []
  await api?.close()
  await ownRedis?.stop()
  ownRedis = undefined
})

async function startFleet(redisUrl: string): Promise<Worker[]> {
  api = await startLoyalApi({ tokenDuration: tokenLife, expFormat: 'milliseconds' })
  const env: WorkerEnv = {
    API_URL: api.url,
    API_KEY: api.apiKey,
    REDIS_URL: redisUrl,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    PREFIX: `fleet-${randomUUID()}`,
    LOCK_TTL: '2000',
    SKEW: '1000',
  }

  workers = await Promise.all(Array.from({ length: fleetSize }, () => startWorker(env)))

  return workers
}

/** Server-clock times of the token requests so far. */
function tokenRequestTimes(): number[] {
  return api!.requests.filter((request) => request.kind === 'token').map((r) => r.receivedAt)
}

async function until(condition: () => boolean, timeout: number): Promise<void> {
  const giveUpAt = Date.now() + timeout
  while (!condition()) {
    if (Date.now() > giveUpAt) throw new Error('fleet did not get there in time')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

async function stopFleet(): Promise<Array<Record<string, unknown>>> {
  for (const worker of workers) worker.send('stop')

  return Promise.all(workers.map((worker) => worker.next('report')))
}

async function statuses(): Promise<Array<Record<string, unknown>>> {
  for (const worker of workers) worker.send('status')

  return Promise.all(workers.map((worker) => worker.next('status')))
}

/** Whether every process now holds the same token. */
async function converged(): Promise<boolean> {
  const all = await statuses()

  return all[0]!.token !== undefined && new Set(all.map((s) => s.token)).size === 1
}

/** Whether every process's Redis client is connected (again). */
async function allConnected(): Promise<boolean> {
  return (await statuses()).every((status) => status.redis === 'ready')
}

async function untilAsync(condition: () => Promise<boolean>, timeout: number, what: string) {
  const giveUpAt = Date.now() + timeout
  while (!(await condition())) {
    if (Date.now() > giveUpAt) throw new Error(`fleet did not get there in time: ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('a fleet of processes sharing one Redis', { timeout: 60_000 }, () => {
  it('fetches one token per expiry, cold start included, with no failed call', async () => {
    const fleet = await startFleet(inject('redisUrl'))

    for (const worker of fleet) worker.send('run')

    // Until the third token is out and the second has expired: the fleet then lived through
    // two expiries, and the third token's own refresh is at least 3.6 s after its fetch.
    await until(() => tokenRequestTimes().length >= 2, 20_000)
    const secondFetch = tokenRequestTimes()[1]!
    await until(() => tokenRequestTimes().length >= 3, 20_000)
    await until(() => api!.now() > secondFetch + tokenLife + 200, 20_000)

    const reports = await stopFleet()
    const calls = reports.reduce((sum, report) => sum + Number(report.calls), 0)
    const times = tokenRequestTimes().map((time) => time - tokenRequestTimes()[0]!)
    const warnings = reports.flatMap((report) => report.warnings as string[])
    console.info(
      `fleet: ${fleetSize} processes, ${calls} calls, token requests at`,
      times,
      warnings
    )

    expect(api!.counters.tokenRequests).toBe(3)
    expect(api!.counters.unauthorized).toBe(0)
    for (const report of reports) {
      expect(report.failures).toEqual([])
      expect(report.calls).toBeGreaterThan(0)
    }
    expect(new Set(reports.flatMap((report) => report.tokens as string[])).size).toBe(3)
    expect(new Set(reports.map((report) => report.lastToken)).size).toBe(1)
  })

  it('keeps every call working while Redis is stopped and restarted, then shares again', async () => {
    ownRedis = await startRedisServer()
    const fleet = await startFleet(ownRedis.url)

    // Events, not instants: on a busy machine any fixed schedule may be missed.
    for (const worker of fleet) worker.send('run')
    await untilAsync(converged, 20_000, 'every process holds the first token')
    const shared = tokenRequestTimes().length

    // Down until every process has refreshed on its own: none can reach the others.
    await ownRedis.stop()
    await until(() => tokenRequestTimes().length >= shared + fleetSize, 20_000)
    const beforeRestart = tokenRequestTimes().length
    await ownRedis.start()
    await untilAsync(allConnected, 20_000, 'every process reconnected to Redis')

    // Back: at their next refresh the processes meet in Redis again and share one token.
    const reconnected = tokenRequestTimes().length
    await untilAsync(converged, 20_000, 'the fleet shares one token again')
    const reports = await stopFleet()
    const afterRestart = tokenRequestTimes().length - reconnected
    console.info('fleet with an outage: token requests', { shared, beforeRestart, afterRestart })

    expect(api!.counters.unauthorized).toBe(0)
    for (const report of reports) expect(report.failures).toEqual([])
    expect(reports.flatMap((report) => report.warnings)).toContain('store-unavailable')
    expect(afterRestart).toBeLessThanOrEqual(3)
  })
})
