import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { build } from 'esbuild'

/** What every worker process is told: where the API and Redis are, and how to store. */
export interface WorkerEnv {
  API_URL: string
  API_KEY: string
  REDIS_URL: string
  ENCRYPTION_KEY: string
  PREFIX: string
  LOCK_TTL: string
  SKEW?: string
}

export interface WorkerMessage {
  event: string
  [field: string]: unknown
}

/** A child process running test/fixtures/auth-worker.ts, driven over stdin. */
export interface Worker {
  readonly child: ChildProcess
  send(line: string): void
  /** The next message with this event (messages already received count). */
  next(event: string): Promise<WorkerMessage>
  kill(signal: NodeJS.Signals): void
}

const source = fileURLToPath(new URL('../fixtures/auth-worker.ts', import.meta.url))
const workers = new Set<ChildProcess>()
let bundled: Promise<string> | undefined

// One bundle, built once: eight processes compiling TypeScript on start (tsx) take seconds
// each on a busy machine; a plain script starts in a fraction of that.
function bundleWorker(): Promise<string> {
  bundled ??= mkdtemp(join(tmpdir(), 'loyal-worker-')).then(async (folder) => {
    const outfile = join(folder, 'auth-worker.cjs')
    await build({
      entryPoints: [source],
      outfile,
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      logLevel: 'error',
    })

    return outfile
  })

  return bundled
}

process.once('exit', () => {
  for (const child of workers) child.kill('SIGKILL')
})

/** Starts a worker and resolves once its Redis client is connected. */
export async function startWorker(env: WorkerEnv): Promise<Worker> {
  const child = spawn(process.execPath, [await bundleWorker()], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  workers.add(child)
  child.once('exit', () => workers.delete(child))

  const received: WorkerMessage[] = []
  const waiting: Array<{ event: string; resolve: (message: WorkerMessage) => void }> = []

  let buffer = ''
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString()
    for (let end = buffer.indexOf('\n'); end >= 0; end = buffer.indexOf('\n')) {
      const message = JSON.parse(buffer.slice(0, end)) as WorkerMessage
      buffer = buffer.slice(end + 1)

      const index = waiting.findIndex((entry) => entry.event === message.event)
      if (index >= 0) waiting.splice(index, 1)[0]!.resolve(message)
      else received.push(message)
    }
  })

  const worker: Worker = {
    child,
    send: (line) => child.stdin!.write(`${line}\n`),
    next: (event) => {
      const index = received.findIndex((message) => message.event === event)
      if (index >= 0) return Promise.resolve(received.splice(index, 1)[0]!)

      return Promise.race([
        new Promise<WorkerMessage>((resolve) => waiting.push({ event, resolve })),
        once(child, 'exit').then(() => {
          throw new Error(`worker exited before "${event}"`)
        }),
      ])
    },
    kill: (signal) => child.kill(signal),
  }

  await worker.next('ready')

  return worker
}
