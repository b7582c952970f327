/**
 * Fleet: PROCESSES processes with their own LoyalAuth on one Redis (RedisTokenStore), living
 * through EXPIRIES token expiries. Reuses the fleet worker of packages/redis's tests
 * (short-lived tokens, refresh at 90–95% of their usable life) and its redis-server helper.
 * Runs with tsx from source, because those helpers find their fixture next to themselves.
 */
import { randomBytes, randomUUID } from 'node:crypto'
import { startLoyalApi } from '@loyal-auth/testing'
import { startRedisServer } from '../../../packages/redis/test/helpers/redis-server.js'
import { startWorker, type Worker } from '../../../packages/redis/test/helpers/worker.js'
import { sendResult } from '../child.js'

export interface FleetRound {
  processes: number
  expiries: number
  tokenLife: number
  tokenRequests: number
  calls: number
  failures: string[]
  unauthorized: number
  finalTokens: number
}

const processes = Number(process.env.PROCESSES ?? 8)
const expiries = Number(process.env.EXPIRIES ?? 2)
const tokenLife = 6_000

async function until(condition: () => boolean, timeout: number): Promise<void> {
  const giveUp = Date.now() + timeout
  while (!condition()) {
    if (Date.now() > giveUp) throw new Error('the fleet did not get there in time')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

const redis = await startRedisServer()
const api = await startLoyalApi({ tokenDuration: tokenLife, expFormat: 'milliseconds' })
const workers: Worker[] = []

try {
  const env = {
    API_URL: api.url,
    API_KEY: api.apiKey,
    REDIS_URL: redis.url,
    ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    PREFIX: `bench-fleet-${randomUUID()}`,
    LOCK_TTL: '2000',
    // As in the redis fleet test: with a 1 s skew (and up to 1 s that the one-second Date
    // header takes off), two refreshes take longer than a token lives.
    SKEW: '1000',
  }
  workers.push(...(await Promise.all(Array.from({ length: processes }, () => startWorker(env)))))
  for (const worker of workers) worker.send('run')

  // `expiries` expiries are behind the fleet once the token fetched at the last of them is
  // out, its successor fetched, and the last one has expired too.
  const tokenTimes = () => api.requests.filter((r) => r.kind === 'token').map((r) => r.receivedAt)
  await until(() => tokenTimes().length >= expiries, 20_000)
  const lastFetch = tokenTimes()[expiries - 1]!
  await until(() => tokenTimes().length >= expiries + 1, 20_000)
  await until(() => api.now() > lastFetch + tokenLife + 200, 20_000)

  for (const worker of workers) worker.send('stop')
  const reports = await Promise.all(workers.map((worker) => worker.next('report')))
  const round: FleetRound = {
    processes,
    expiries,
    tokenLife,
    tokenRequests: api.counters.tokenRequests,
    calls: reports.reduce((sum, report) => sum + Number(report.calls), 0),
    failures: reports.flatMap((report) => report.failures as string[]),
    unauthorized: api.counters.unauthorized,
    finalTokens: new Set(reports.map((report) => report.lastToken)).size,
  }

  sendResult(round)
} finally {
  for (const worker of workers) worker.kill('SIGKILL')
  await api.close()
  await redis.stop()
}
