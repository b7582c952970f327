import autocannon from 'autocannon'
import type { Child } from './child.js'

/** Server-side figures of one autocannon run. */
export interface HttpSample {
  /** Requests per second answered (2xx only). */
  rps: number
  /** Server process CPU per request, µs. */
  cpu: number
  requests: number
  /** Non-2xx answers and connection errors: a valid run has none. */
  failures: number
}

export interface LoadOptions {
  path: string
  durationSeconds: number
  connections?: number
  method?: 'GET' | 'POST'
  body?: string
  headers?: Record<string, string>
}

/** One autocannon run against `server`, with the server's CPU time over the run. */
export async function loadServer(server: Child, options: LoadOptions): Promise<HttpSample> {
  const cpu0 = await server.cpu()
  const result = await autocannon({
    url: `${server.url}${options.path}`,
    connections: options.connections ?? 16,
    duration: options.durationSeconds,
    method: options.method ?? 'GET',
    ...(options.body === undefined ? {} : { body: options.body }),
    ...(options.headers === undefined ? {} : { headers: options.headers }),
  })
  const cpu1 = await server.cpu()

  const requests = result['2xx']
  const seconds = result.duration
  const failures = result.non2xx + result.errors + result.timeouts

  return {
    rps: requests / seconds,
    cpu: requests > 0 ? (cpu1 - cpu0) / requests : Number.NaN,
    requests,
    failures,
  }
}
