import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { maxTimerDelay, setLongTimeout, sleep } from '../src/timers.js'
import { authFor, startApi } from './loyal-auth/support.js'

afterEach(() => {
  vi.useRealTimers()
  vi.restoreAllMocks()
})

describe('setLongTimeout', () => {
  it('chains timers for delays beyond 2^31-1 ms and fires once at the end', () => {
    vi.useFakeTimers()
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout')
    const callback = vi.fn()

    setLongTimeout(callback, maxTimerDelay * 2 + 10)
    vi.advanceTimersByTime(maxTimerDelay * 2 + 9)
    expect(callback).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)

    expect(callback).toHaveBeenCalledOnce()
    const delays = setTimeoutSpy.mock.calls.map((call) => call[1] ?? 0)
    expect(delays).toEqual([maxTimerDelay, maxTimerDelay, 10])
  })

  it("is unref'd unless asked to keep the process alive, and can be cleared", () => {
    const setTimeoutSpy = vi.spyOn(globalThis, 'setTimeout')

    const background = setLongTimeout(() => {}, 1_000)
    const foreground = setLongTimeout(() => {}, 1_000, true)

    const [first, second] = setTimeoutSpy.mock.results.map(
      (result) => result.value as NodeJS.Timeout
    )
    expect(first?.hasRef()).toBe(false)
    expect(second?.hasRef()).toBe(true)
    background.clear()
    foreground.clear()
  })

  it('sleep rejects with the signal reason when aborted', async () => {
    const controller = new AbortController()
    const pending = sleep(10_000, { signal: controller.signal })
    controller.abort(new Error('stop'))

    await expect(pending).rejects.toThrow('stop')
  })
})

describe('LoyalAuth timers', () => {
  it('never sets a timer beyond 2^31-1 ms, and unrefs the refresh timer', async () => {
    const api = await startApi({ tokenDuration: 100 * 24 * 60 * 60_000 })
    const timers: Array<{ delay: number; handle: NodeJS.Timeout }> = []
    const original = globalThis.setTimeout
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((
      callback: () => void,
      delay?: number
    ) => {
      const handle = original(callback, delay)
      timers.push({ delay: delay ?? 0, handle })
      return handle
    }) as typeof setTimeout)
    const auth = authFor(api)

    const token = await auth.getToken()

    expect(token.expiresAt.getTime() - Date.now()).toBeGreaterThan(maxTimerDelay)
    const refresh = timers.find((timer) => timer.delay === maxTimerDelay)
    expect(refresh?.handle.hasRef()).toBe(false)
    expect(timers.every((timer) => timer.delay <= maxTimerDelay)).toBe(true)
  })

  it('a process that got a token and never called close() exits on its own', async () => {
    const api = await startApi()
    const script = fileURLToPath(new URL('./fixtures/get-token-without-close.ts', import.meta.url))
    const root = fileURLToPath(new URL('../../..', import.meta.url))

    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd: root,
      env: { ...process.env, LOYAL_API_KEY: api.apiKey, LOYAL_BASE_URL: api.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (chunk) => {
      output += chunk
    })
    child.stderr.on('data', (chunk) => {
      output += chunk
    })

    const code = await new Promise<number | string>((resolve) => {
      const timer = setTimeout(() => {
        child.kill()
        resolve('still running after 8 s')
      }, 8_000)
      child.on('exit', (exitCode) => {
        clearTimeout(timer)
        resolve(exitCode ?? -1)
      })
    })

    expect(code, output).toBe(0)
    expect(output).toContain('token until')
    expect(api.counters.tokenRequests).toBe(1)
  }, 15_000)
})
