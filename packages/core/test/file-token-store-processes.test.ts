/** FileTokenStore shared by processes of one machine: real child processes (tsx). */
import { type ChildProcess, spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { fileURLToPath } from 'node:url'

import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'

import { FileTokenStore } from '../src/file-store.js'
import { LoyalAuth } from '../src/index.js'

const encryptionKey = randomBytes(32).toString('base64url')
const childScript = fileURLToPath(new URL('./fixtures/file-store-process.ts', import.meta.url))

let directory: string
let api: LoyalApi
const opened: LoyalAuth[] = []
const children: ChildProcess[] = []

beforeAll(async () => {
  api = await startLoyalApi()
})

beforeEach(async () => {
  api.reset()
  directory = join(await mkdtemp(join(tmpdir(), 'loyal-file-store-')), 'tokens')
})

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL')
  await Promise.all(opened.splice(0).map((auth) => auth.close()))
  await rm(join(directory, '..'), { recursive: true, force: true })
})

afterAll(async () => {
  await api.close()
})

function newAuth(): LoyalAuth {
  const store = new FileTokenStore({ directory })
  const auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url, store, encryptionKey })
  opened.push(auth)

  return auth
}

describe('FileTokenStore across processes', { timeout: 30_000 }, () => {
  function startChild(): Promise<{ go(): void; token: Promise<string> }> {
    const child = spawn(process.execPath, ['--import', 'tsx', childScript], {
      env: {
        ...process.env,
        API_URL: api.url,
        API_KEY: api.apiKey,
        DIRECTORY: directory,
        ENCRYPTION_KEY: encryptionKey,
      },
      stdio: ['pipe', 'pipe', 'inherit'],
    })
    children.push(child)

    const lines = createInterface({ input: child.stdout! })
    const messages = (async function* () {
      for await (const line of lines) yield JSON.parse(line) as { event: string; token?: string }
    })()

    return messages.next().then(() => ({
      go: () => child.stdin!.write('go\n'),
      token: messages.next().then(({ value }) => String(value?.token)),
    }))
  }

  function hash(value: string): string {
    return createHash('sha256').update(value).digest('hex')
  }

  it('reads a token another process wrote', async () => {
    const child = await startChild()
    child.go()
    const written = await child.token

    const token = await newAuth().getToken()

    expect(hash(token.value)).toBe(written)
    expect(api.counters.tokenRequests).toBe(1)
  })

  it('lets two cold processes starting at once share one token request', async () => {
    const pair = await Promise.all([startChild(), startChild()])
    for (const child of pair) child.go()

    const [first, second] = await Promise.all(pair.map((child) => child.token))

    expect(first).toBe(second)
    expect(api.counters.tokenRequests).toBe(1)
    expect((await readdir(directory)).filter((name) => !name.endsWith('.json'))).toEqual([])
  })
})
