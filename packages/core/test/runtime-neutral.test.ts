/**
 * Core runs wherever `fetch` and Web Crypto exist (edge runtimes, workers, browsers): its main
 * entry is bundled with no Node built-in allowed and then run in a fresh `node:vm` realm that
 * has only web globals, where it fetches a token from the embedded API.
 */
import { isBuiltin } from 'node:module'
import { fileURLToPath } from 'node:url'
import { createContext, runInContext } from 'node:vm'

import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'
import { build, type Plugin } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const entry = fileURLToPath(new URL('../src/index.ts', import.meta.url))

/** Fails the build on any reachable Node built-in, naming the module that imports it. */
const noNodeBuiltins: Plugin = {
  name: 'no-node-builtins',
  setup(builder) {
    builder.onResolve({ filter: /.*/ }, ({ path, importer }) => {
      if (!isBuiltin(path)) return undefined

      return { errors: [{ text: `Node built-in "${path}" imported by ${importer}` }] }
    })
  },
}

async function bundle(entryPoints: string[] | { contents: string; resolveDir: string }) {
  const input = Array.isArray(entryPoints) ? { entryPoints } : { stdin: entryPoints }
  const result = await build({
    ...input,
    bundle: true,
    write: false,
    platform: 'neutral',
    format: 'iife',
    globalName: 'loyalCore',
    target: 'es2022',
    mainFields: ['module', 'main'],
    conditions: ['worker', 'browser'],
    plugins: [noNodeBuiltins],
    logLevel: 'silent',
  })

  return result.outputFiles[0]!.text
}

/**
 * The realm's globals: fetch and Web Crypto, plus what every such runtime has beside them
 * (WinterTC's minimum common API). No process, require, Buffer, setImmediate or node: modules.
 * Timers return numbers, as they do outside Node, so a Node-only `timer.unref()` would throw.
 */
function webRealm() {
  return createContext({
    fetch,
    Headers,
    Request,
    Response,
    AbortController,
    AbortSignal,
    DOMException,
    URL,
    URLSearchParams,
    TextEncoder,
    TextDecoder,
    atob,
    btoa,
    crypto: globalThis.crypto,
    setTimeout: (callback: () => void, ms?: number) => Number(setTimeout(callback, ms)),
    clearTimeout: (id?: number) => clearTimeout(id),
  })
}

// Runs inside the realm: everything it touches comes from the bundle or the globals above.
const scenario = `(async (apiKey, baseUrl) => {
  const auth = new loyalCore.LoyalAuth({ apiKey, baseUrl })

  try {
    const token = await auth.getToken()
    const response = await auth.fetch('/users')
    const users = await response.json()

    return { clientId: token.clientId, status: response.status, users: users.length }
  } finally {
    await auth.close()
  }
})`

describe('core outside Node', () => {
  let api: LoyalApi
  let code: string

  beforeAll(async () => {
    api = await startLoyalApi()
    code = await bundle([entry])
  })

  afterAll(async () => {
    await api.close()
  })

  it('refuses to bundle a module that reaches a Node built-in', async () => {
    const source = {
      contents: "import { join } from 'node:path'; export { join }",
      resolveDir: '.',
    }

    await expect(bundle(source)).rejects.toThrow(/Node built-in "node:path"/)
  })

  it('runs in a realm without process, require or Buffer', () => {
    const realm = webRealm()

    runInContext(code, realm)

    const missing = runInContext(
      "[typeof process, typeof require, typeof Buffer, typeof setImmediate].join(' ')",
      realm
    )

    expect(missing).toBe('undefined undefined undefined undefined')
    expect(runInContext('typeof loyalCore.LoyalAuth', realm)).toBe('function')
  })

  it('fetches a token and calls the API with only web globals', async () => {
    const realm = webRealm()

    runInContext(code, realm)

    const run = runInContext(scenario, realm)
    const result = await run(api.apiKey, api.url)

    expect(result).toEqual({ clientId: expect.any(String), status: 200, users: expect.any(Number) })
    expect(result.users).toBeGreaterThan(0)
    expect(api.counters.tokenRequests).toBe(1)
  })
})
