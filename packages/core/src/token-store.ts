/**
 * Where tokens are kept between fetches. Records are opaque strings: `LoyalAuth` encrypts them
 * before they reach any store that is not in memory, and keys are hashes, never an API key.
 */
export interface TokenStore {
  /** True when records leave the process, so `LoyalAuth` demands an `encryptionKey`. */
  readonly persistent: boolean
  get(key: string): Promise<string | undefined>
  /** `ttlMs` is how long the record is worth keeping (the token's remaining life). */
  set(key: string, record: string, ttlMs: number): Promise<void>
  delete(key: string): Promise<void>
  /** Cross-process single flight; absent on stores that serve one process. */
  lock?(key: string, ttlMs: number): Promise<TokenStoreLock | undefined>
}

/** A held lock; `release` deletes it only while this holder still owns it. */
export interface TokenStoreLock {
  release(): Promise<void>
}
