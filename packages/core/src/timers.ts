/**
 * Timers that never exceed the 2^31-1 ms limit of setTimeout (beyond it Node fires at once) and
 * that do not keep a process alive unless asked to.
 */

/** setTimeout fires immediately for delays above this, so longer waits are chained. */
export const maxTimerDelay = 2 ** 31 - 1

export interface TimerHandle {
  clear(): void
}

function unref(timer: ReturnType<typeof setTimeout>): void {
  const handle = timer as unknown as { unref?: () => void }
  handle.unref?.()
}

/**
 * Calls `callback` after `ms`, chaining timers for delays beyond `maxTimerDelay`. The timers are
 * `unref`'d unless `keepAlive` is set: a process that never calls `close()` still exits.
 */
export function setLongTimeout(callback: () => void, ms: number, keepAlive = false): TimerHandle {
  let timer: ReturnType<typeof setTimeout> | undefined
  let remaining = Math.max(0, ms)

  const arm = () => {
    const step = Math.min(remaining, maxTimerDelay)
    remaining -= step
    timer = setTimeout(remaining > 0 ? arm : callback, step)
    if (!keepAlive) unref(timer)
  }
  arm()

  return { clear: () => clearTimeout(timer) }
}

/** Resolves after `ms`; rejects with the signal's reason when it aborts first. */
export function sleep(
  ms: number,
  options: { signal?: AbortSignal; keepAlive?: boolean } = {}
): Promise<void> {
  const { signal, keepAlive = false } = options

  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason)

    const onAbort = () => {
      timer.clear()
      reject(signal?.reason)
    }
    const timer = setLongTimeout(
      () => {
        signal?.removeEventListener('abort', onAbort)
        resolve()
      },
      ms,
      keepAlive
    )
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
