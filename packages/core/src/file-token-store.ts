import { createHash, randomUUID } from 'node:crypto'
import { chmod, mkdir, open, readFile, rename, stat, unlink, utimes } from 'node:fs/promises'
import { join } from 'node:path'

import { LoyalError } from './loyal-error.js'
import type { TokenStore, TokenStoreLock } from './token-store.js'

export interface FileTokenStoreOptions {
  /** Folder for the records; created with owner-only permissions (0700) when missing. */
  directory: string
  /**
   * A lock file untouched for this many ms belongs to a holder that died, and is taken over.
   * A living holder touches it every third of this. Default `10_000`.
   */
  lockStaleDuration?: number
}

/** What is written to disk: the (encrypted) record and when it stops being worth reading. */
interface StoredFile {
  v: 1
  expiresAt: number
  record: string
}

/** What a lock file holds: who holds it, and how often that holder touches it. */
interface LockFile {
  owner: string
  staleDuration: number
}

const defaultStaleDuration = 10_000
const pollDelay = 25
const safeName = /^[A-Za-z0-9_-]{1,128}$/

/**
 * A `TokenStore` on the local disk, shared by the processes of one machine (Node only).
 * Records are written to a temporary file in the same folder and renamed into place, so a
 * reader never sees half a record; files are owner-only (0600). `lock()` is a lock file
 * created with `O_EXCL`, taken over when its holder stopped touching it.
 *
 * It is `persistent`: `LoyalAuth` encrypts every record and requires an `encryptionKey`.
 *
 * @example
 * import { FileTokenStore } from '@loyal-auth/core/file-store'
 *
 * const auth = new LoyalAuth({
 *   apiKey: process.env.LOYAL_API_KEY,
 *   store: new FileTokenStore({ directory: '/var/cache/my-service/loyal' }),
 *   encryptionKey: process.env.LOYAL_ENCRYPTION_KEY,
 * })
 */
export class FileTokenStore implements TokenStore {
  readonly persistent = true
  readonly directory: string
  readonly #staleDuration: number
  #ready: Promise<void> | undefined

  constructor(options: FileTokenStoreOptions) {
    if (typeof options?.directory !== 'string' || options.directory === '') {
      throw new LoyalError('config', '"directory" must be a non-empty path')
    }

    const stale = options.lockStaleDuration ?? defaultStaleDuration
    if (typeof stale !== 'number' || !Number.isFinite(stale) || stale < 100) {
      throw new LoyalError('config', '"lockStaleDuration" must be a number of ms >= 100')
    }

    this.directory = options.directory
    this.#staleDuration = stale
  }

  async get(key: string): Promise<string | undefined> {
    const text = await this.#attempt('read', () => readIfExists(this.#path(key, '.json')))
    if (text === undefined) return undefined

    const stored = parseStoredFile(text)
    if (stored === undefined || stored.expiresAt <= Date.now()) return undefined

    return stored.record
  }

  async set(key: string, record: string, ttlMs: number): Promise<void> {
    const file: StoredFile = { v: 1, expiresAt: Date.now() + Math.max(0, ttlMs), record }

    await this.#attempt('write', async () => {
      await this.#ensureDirectory()
      await writeAtomically(this.#path(key, '.json'), JSON.stringify(file))
    })
  }

  async delete(key: string): Promise<void> {
    await this.#attempt('delete', () => removeIfExists(this.#path(key, '.json')))
  }

  /**
   * Waits for the lock file of `key` for up to `ttlMs` plus the stale duration, then gives up
   * (`undefined`) so the caller fetches on its own. While held, the file is touched so others
   * see a living holder, for at most `ttlMs`.
   */
  async lock(key: string, ttlMs: number): Promise<TokenStoreLock | undefined> {
    await this.#attempt('lock', () => this.#ensureDirectory())

    const path = this.#path(key, '.lock')
    const owner = randomUUID()
    const giveUpAt = Date.now() + Math.max(0, ttlMs) + this.#staleDuration

    while (Date.now() < giveUpAt) {
      if (await this.#tryCreateLock(path, owner)) return this.#heldLock(path, owner, ttlMs)

      await this.#removeIfStale(path)
      await delay(pollDelay + Math.random() * pollDelay)
    }

    return undefined
  }

  async #tryCreateLock(path: string, owner: string): Promise<boolean> {
    const content: LockFile = { owner, staleDuration: this.#staleDuration }

    try {
      const handle = await open(path, 'wx', 0o600)
      await handle.writeFile(JSON.stringify(content))
      await handle.close()

      return true
    } catch (error) {
      if (errorCode(error) === 'EEXIST') return false
      throw storeError('lock', error)
    }
  }

  // The holder's own stale duration counts (it touches the file at that pace), not ours.
  // Renaming first means only one of several processes that found the same stale file takes
  // it away; the others' renames fail with ENOENT.
  async #removeIfStale(path: string): Promise<void> {
    const info = await stat(path).catch(() => undefined)
    if (info === undefined) return

    const holder = parseLockFile(await readIfExists(path).catch(() => undefined))
    const staleDuration = holder?.staleDuration ?? this.#staleDuration
    if (Date.now() - info.mtimeMs < staleDuration) return

    const aside = `${path}.${randomUUID()}.stale`
    try {
      await rename(path, aside)
      await unlink(aside)
    } catch {
      // Someone else took it away first.
    }
  }

  #heldLock(path: string, owner: string, ttlMs: number): TokenStoreLock {
    const touchEvery = Math.max(50, Math.floor(this.#staleDuration / 3))
    const stopAt = Date.now() + ttlMs
    const touch = setInterval(() => {
      if (Date.now() >= stopAt) return clearInterval(touch)

      const now = new Date()
      utimes(path, now, now).catch(() => undefined)
    }, touchEvery)
    touch.unref()

    return {
      release: async () => {
        clearInterval(touch)
        const holder = parseLockFile(await readIfExists(path).catch(() => undefined))
        if (holder?.owner === owner) await removeIfExists(path).catch(() => undefined)
      },
    }
  }

  async #ensureDirectory(): Promise<void> {
    this.#ready ??= createPrivateDirectory(this.directory).catch((error: unknown) => {
      this.#ready = undefined
      throw error
    })

    return this.#ready
  }

  // File names come from the store key, which `LoyalAuth` makes a hex hash; anything else is
  // hashed here so a key can never climb out of the folder.
  #path(key: string, extension: string): string {
    const name = safeName.test(key) ? key : createHash('sha256').update(key).digest('hex')
    return join(this.directory, `${name}${extension}`)
  }

  async #attempt<T>(action: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work()
    } catch (error) {
      throw error instanceof LoyalError ? error : storeError(action, error)
    }
  }
}

async function createPrivateDirectory(directory: string): Promise<void> {
  const created = await mkdir(directory, { recursive: true, mode: 0o700 })

  // `mode` is filtered by the umask and ignored for folders that already existed.
  if (created !== undefined) await chmod(directory, 0o700)
}

// A temporary name in the same folder, so the rename stays on one file system and is atomic.
async function writeAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.${randomUUID()}.tmp`
  const handle = await open(temporary, 'wx', 0o600)

  try {
    await handle.writeFile(text)
    await handle.sync()
  } finally {
    await handle.close()
  }

  try {
    await renameWithRetry(temporary, path)
  } catch (error) {
    await removeIfExists(temporary).catch(() => undefined)
    throw error
  }
}

// Windows refuses to replace a file another process has open for a moment (EPERM, EBUSY).
async function renameWithRetry(from: string, to: string, tries = 5): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await rename(from, to)
    } catch (error) {
      const code = errorCode(error)
      if (attempt >= tries || (code !== 'EPERM' && code !== 'EBUSY')) throw error

      await delay(attempt * 10)
    }
  }
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8')
  } catch (error) {
    if (errorCode(error) === 'ENOENT') return undefined
    throw error
  }
}

async function removeIfExists(path: string): Promise<void> {
  try {
    await unlink(path)
  } catch (error) {
    if (errorCode(error) !== 'ENOENT') throw error
  }
}

function parseStoredFile(text: string): StoredFile | undefined {
  try {
    const value = JSON.parse(text) as Partial<StoredFile>
    const valid = typeof value.record === 'string' && typeof value.expiresAt === 'number'

    return valid ? (value as StoredFile) : undefined
  } catch {
    return undefined
  }
}

function parseLockFile(text: string | undefined): LockFile | undefined {
  try {
    const value = JSON.parse(text ?? '') as Partial<LockFile>
    const valid = typeof value.owner === 'string' && Number.isFinite(value.staleDuration)

    return valid ? (value as LockFile) : undefined
  } catch {
    return undefined
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code
}

// The path holds a hash, never a secret, but the file system's message is enough to act on.
function storeError(action: string, cause: unknown): LoyalError {
  const code = errorCode(cause) ?? 'unknown error'
  return new LoyalError('store', `File token store could not ${action} (${code})`, { cause })
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
