import { type ChildProcess, fork } from 'node:child_process'
import { once } from 'node:events'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The bench package folder (from src/ or dist/): children run from it so `tsx` resolves. */
export const benchDir = fileURLToPath(new URL('..', import.meta.url))

const children = new Set<ChildProcess>()

// From the bundle (dist/main.mjs, see build.ts) children are bundles too; from source, tsx.
const bundled = import.meta.url.endsWith('.mjs')

interface SpawnOptions {
  env?: Record<string, string>
  execArgv?: string[]
  /** Run src/<folder>/<name>.ts with tsx even from the bundle. */
  fromSource?: string
}

// Node flags for every child, such as a profiler's: BENCH_CHILD_ARGS="--cpu-prof".
function childArgs(): string[] {
  return (process.env.BENCH_CHILD_ARGS ?? '').split(' ').filter(Boolean)
}

function spawnScript(name: string, options: SpawnOptions): ChildProcess {
  const { env = {}, execArgv = [], fromSource } = options
  const useSource = !bundled || fromSource !== undefined
  const script = useSource
    ? join(benchDir, 'src', fromSource ?? 'servers', `${name}.ts`)
    : fileURLToPath(new URL(`./servers/${name}.mjs`, import.meta.url))

  const child = fork(script, [], {
    cwd: benchDir,
    env: { ...process.env, ...env },
    execArgv: [...(useSource ? ['--import', 'tsx'] : []), ...childArgs(), ...execArgv],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  })
  children.add(child)
  child.once('exit', () => children.delete(child))

  return child
}

/** CPU time a process has used, in microseconds (process.cpuUsage, user + system). */
export type CpuMicros = number

/** A server in its own process, so that load generator and server do not share an event loop. */
export interface Child {
  readonly url: string
  readonly process: ChildProcess
  /** The child's CPU time so far. */
  cpu(): Promise<CpuMicros>
  stop(): Promise<void>
}

interface ReadyMessage {
  type: 'ready'
  url: string
}

interface CpuMessage {
  type: 'cpu'
  micros: number
}

// A bench that dies half way must not leave servers behind.
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL')
})

/**
 * Starts the child script `servers/<name>` and resolves once it reports its URL. The child
 * answers `{ type: 'cpu' }` messages with its CPU time (see `serveChildProtocol`).
 */
export async function startChild(name: string, env: Record<string, string> = {}): Promise<Child> {
  const child = spawnScript(name, { env })
  const ready = await firstMessage<ReadyMessage>(child, 'ready')

  return {
    url: ready.url,
    process: child,
    async cpu() {
      const reply = firstMessage<CpuMessage>(child, 'cpu')
      child.send({ type: 'cpu' })

      return (await reply).micros
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return

      const exited = once(child, 'exit')
      child.kill('SIGTERM')
      await exited
    },
  }
}

/** Runs a child script to its end and returns the one result it sends. */
export async function runChild<T>(name: string, options: SpawnOptions = {}): Promise<T> {
  const child = spawnScript(name, options)

  const [result] = await Promise.all([
    firstMessage<{ type: 'result'; value: T }>(child, 'result'),
    once(child, 'exit'),
  ])

  return result.value
}

function firstMessage<T extends { type: string }>(child: ChildProcess, type: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: unknown) => {
      if ((message as { type?: unknown })?.type !== type) return
      cleanup()
      resolve(message as T)
    }
    const onExit = (code: number | null) => {
      cleanup()
      reject(new Error(`child exited (${code}) before sending "${type}"`))
    }
    const cleanup = () => {
      child.off('message', onMessage)
      child.off('exit', onExit)
    }
    child.on('message', onMessage)
    child.once('exit', onExit)
  })
}

/** In a child: tell the parent where we listen, and answer its CPU questions. */
export function serveChildProtocol(url: string, onStop?: () => Promise<void> | void): void {
  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'cpu') {
      const { user, system } = process.cpuUsage()
      process.send?.({ type: 'cpu', micros: user + system })
    }
  })
  process.once('SIGTERM', async () => {
    await onStop?.()
    process.exit(0)
  })
  process.once('disconnect', () => process.exit(0))
  process.send?.({ type: 'ready', url })
}

/** In a child: hand the parent one result and exit. */
export function sendResult(value: unknown): void {
  process.send?.({ type: 'result', value }, () => process.exit(0))
}
