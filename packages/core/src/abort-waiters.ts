/**
 * Callbacks to run when a caller's signal aborts, with one `abort` listener per signal however
 * many waiters share it. A request handler may pass one signal to many concurrent calls, and
 * Node warns (`MaxListenersExceededWarning`) past ten listeners on one signal.
 */
const waitersBySignal = new WeakMap<AbortSignal, Set<() => void>>()

/** Runs `callback` once `signal` aborts; the returned function stops waiting. */
export function onAbort(signal: AbortSignal, callback: () => void): () => void {
  let waiters = waitersBySignal.get(signal)

  if (waiters === undefined) {
    const created = new Set<() => void>()

    waiters = created
    waitersBySignal.set(signal, created)
    signal.addEventListener('abort', () => runWaiters(signal, created), { once: true })
  }

  const registered = waiters
  registered.add(callback)

  return () => {
    registered.delete(callback)
  }
}

function runWaiters(signal: AbortSignal, waiters: Set<() => void>): void {
  waitersBySignal.delete(signal)

  for (const waiter of waiters) waiter()
  waiters.clear()
}
