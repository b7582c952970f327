import type { TokenRecord, TokenRecordCodec } from './record-codec.js'
import type { TokenStore, TokenStoreLock } from './token-store.js'

/** Where store trouble is reported: as a warning, never as a failed call. */
export type StoreWarning = (event: string, fields: Record<string, unknown>) => void

/** Result of asking for the cross-process lock. */
export type LockResult =
  | { kind: 'held'; lock: TokenStoreLock }
  | { kind: 'busy' }
  /** The store has no lock, or it failed: fetch without one. */
  | { kind: 'none' }

function describeError(error: unknown): Record<string, unknown> {
  // The code and name only: a store's message could quote what it was given.
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown }

  return { errorCode: typeof code === 'string' ? code : undefined, errorName: name }
}

/**
 * A `TokenStore` seen through the record codec, where every failure degrades to "no record":
 * a store that is down or holds garbage costs a token request, never a failed call.
 */
export class RecordStore {
  readonly #store: TokenStore
  readonly #codec: TokenRecordCodec
  readonly #warn: StoreWarning
  /** The last record that failed to parse, so one bad record is reported once. */
  #unreadable: string | undefined

  constructor(store: TokenStore, codec: TokenRecordCodec, warn: StoreWarning) {
    this.#store = store
    this.#codec = codec
    this.#warn = warn
  }

  async read(key: string): Promise<TokenRecord | undefined> {
    let text: string | undefined
    try {
      text = await this.#store.get(key)
    } catch (error) {
      this.#warn('store-unavailable', { operation: 'get', ...describeError(error) })
      return undefined
    }

    if (text === undefined || text === null) return undefined

    try {
      return await this.#codec.parse(text, key)
    } catch (error) {
      // Overwritten by the next fetch.
      if (text !== this.#unreadable) this.#warn('store-record-unreadable', describeError(error))
      this.#unreadable = text
      return undefined
    }
  }

  async write(key: string, record: TokenRecord, ttlMs: number): Promise<void> {
    try {
      await this.#store.set(key, await this.#codec.serialize(record, key), Math.max(1, ttlMs))
    } catch (error) {
      this.#warn('store-unavailable', { operation: 'set', ...describeError(error) })
    }
  }

  /** Deletes the record only while it still holds `token`, so a newer one survives. */
  async deleteIfHolds(key: string, token: string): Promise<void> {
    const record = await this.read(key)
    if (record?.token !== token) return

    try {
      await this.#store.delete(key)
    } catch (error) {
      this.#warn('store-unavailable', { operation: 'delete', ...describeError(error) })
    }
  }

  async lock(key: string, ttlMs: number): Promise<LockResult> {
    if (this.#store.lock === undefined) return { kind: 'none' }

    try {
      const lock = await this.#store.lock(key, ttlMs)
      return lock === undefined ? { kind: 'busy' } : { kind: 'held', lock }
    } catch (error) {
      this.#warn('store-unavailable', { operation: 'lock', ...describeError(error) })
      return { kind: 'none' }
    }
  }

  async release(lock: TokenStoreLock): Promise<void> {
    try {
      await lock.release()
    } catch (error) {
      this.#warn('store-unavailable', { operation: 'release', ...describeError(error) })
    }
  }
}
