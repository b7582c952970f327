import type { TokenStore } from './token-store.js'

interface Entry {
  record: string
  expiresAt: number
}

/**
 * The default store: a Map in this process. Records never leave it, so they are kept as they
 * come (unencrypted). Entries lapse after their `ttlMs`.
 *
 * @example
 * const store = new MemoryTokenStore()
 * const auth = new LoyalAuth({ apiKey, store })
 */
export class MemoryTokenStore implements TokenStore {
  readonly persistent = false
  readonly #entries = new Map<string, Entry>()

  async get(key: string): Promise<string | undefined> {
    const entry = this.#entries.get(key)
    if (entry === undefined) return undefined

    if (Date.now() >= entry.expiresAt) {
      this.#entries.delete(key)
      return undefined
    }

    return entry.record
  }

  async set(key: string, record: string, ttlMs: number): Promise<void> {
    this.#entries.set(key, { record, expiresAt: Date.now() + Math.max(0, ttlMs) })
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key)
  }
}
