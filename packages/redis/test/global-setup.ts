import type { TestProject } from 'vitest/node'

import { type RedisServer, startRedisServer } from './helpers/redis-server.js'

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string
  }
}

let server: RedisServer | undefined

/** One redis-server for the whole run, unless REDIS_URL points at one already. */
export async function setup(project: TestProject): Promise<void> {
  const given = process.env.REDIS_URL
  if (given) return project.provide('redisUrl', given)

  server = await startRedisServer()
  project.provide('redisUrl', server.url)
}

export async function teardown(): Promise<void> {
  await server?.stop()
}
