import { LoyalError } from './loyal-error.js'
import { type EncryptionKeyOption, RecordCipher } from './record-encryption.js'
import type { TokenStore } from './token-store.js'

/** What a store keeps for one credential. */
export interface TokenRecord {
  /** The JWT. */
  token: string
  /** Local time (ms since the epoch) at which the token response arrived. */
  fetchedAt: number
  /** API clock minus local clock at that moment, in ms (see server-clock.ts). */
  clockOffset: number
}

/**
 * Turns a record into the opaque string a store keeps, and back. The seam where encryption of
 * persistent stores slots in: `LoyalAuth` reads and writes stores only through a codec.
 */
export interface TokenRecordCodec {
  /** `storeKey`: the key the record is written under; a codec may bind the record to it. */
  serialize(record: TokenRecord, storeKey?: string): Promise<string>
  /** Rejects when the text is not a record this codec wrote (tampered, wrong key, garbage). */
  parse(text: string, storeKey?: string): Promise<TokenRecord>
}

function isTokenRecord(value: unknown): value is TokenRecord {
  const record = value as Partial<TokenRecord> | null
  return (
    typeof record === 'object' &&
    record !== null &&
    typeof record.token === 'string' &&
    Number.isFinite(record.fetchedAt) &&
    Number.isFinite(record.clockOffset)
  )
}

/** Checks a decoded value is a record; for codecs built on top of this one. */
export function assertTokenRecord(value: unknown): TokenRecord {
  if (!isTokenRecord(value)) throw new LoyalError('store', 'Stored token record is unreadable')

  return { token: value.token, fetchedAt: value.fetchedAt, clockOffset: value.clockOffset }
}

/** Plain JSON, for stores whose records never leave the process. */
export const plainRecordCodec: TokenRecordCodec = {
  serialize: async (record) => JSON.stringify(record),
  parse: async (text) => {
    try {
      return assertTokenRecord(JSON.parse(text))
    } catch {
      throw new LoyalError('store', 'Stored token record is unreadable')
    }
  },
}

/**
 * JSON inside a compact JWE (`dir` + `A256GCM`), for records that leave the process. Bound to
 * the store key: a record moved to another credential's key (by someone with write access to
 * the store) fails to parse there instead of handing one tenant another's token.
 */
export function encryptedRecordCodec(cipher: RecordCipher): TokenRecordCodec {
  return {
    serialize: async (record, storeKey) =>
      cipher.encrypt(await plainRecordCodec.serialize(record), storeKey),
    parse: async (text, storeKey) => plainRecordCodec.parse(await cipher.decrypt(text, storeKey)),
  }
}

/**
 * The codec for a store: plain for in-process stores, encrypted for persistent ones.
 *
 * @throws LoyalError `config` for a persistent store without an `encryptionKey`.
 */
export function selectRecordCodec(
  store: TokenStore,
  encryptionKey: EncryptionKeyOption | undefined
): TokenRecordCodec {
  // A key is checked whenever one is given, so a bad one fails at start-up, not at the day
  // the store is switched to a persistent one.
  const cipher = encryptionKey === undefined ? undefined : new RecordCipher(encryptionKey)
  if (!store.persistent) return plainRecordCodec

  if (cipher === undefined) {
    throw new LoyalError('config', '"encryptionKey" is required with a persistent store')
  }

  return encryptedRecordCodec(cipher)
}
