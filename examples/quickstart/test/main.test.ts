import { describe, expect, it, vi } from 'vitest'
import { DOCS_EXAMPLE_TOKEN } from '../src/docs-token.js'
import { main } from '../src/main.js'

/** Servers and sockets alive in this process: what would keep `npm run demo` from exiting. */
function openNetworkHandles(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind.startsWith('TCP')).length
}

describe('the quickstart demo', () => {
  it('runs against the embedded API, shows a silent refresh and closes what it opened', async () => {
    const lines: string[] = []
    const handlesBefore = openNetworkHandles()

    const code = await main({ env: {}, print: (line) => lines.push(line) })

    const output = lines.join('\n')
    expect(code).toBe(0)
    expect(output).toContain('Piedmont Healthcare')
    expect(output).toMatch(/POST \/rules -> 201/)
    expect(output).toMatch(/403 Insufficient scope/)
    expect(output).toMatch(/#2 fetched in the background/)
    expect(output).toMatch(/all answered 200, none waited for a token/)
    expect(output).toMatch(/isExpired\(\): true/)
    expect(output).not.toMatch(/eyJ[\w-]+\.eyJ/)
    expect(output).not.toContain(DOCS_EXAMPLE_TOKEN.split('.')[2])
    // libuv releases closed handles on a later turn of the event loop.
    await vi.waitFor(() => expect(openNetworkHandles()).toBe(handlesBefore), { timeout: 1_000 })
  }, 15_000)

  it('refuses half a configuration with exit code 1', async () => {
    const lines: string[] = []

    const code = await main({ env: { LOYAL_API_KEY: 'k' }, print: (line) => lines.push(line) })

    expect(code).toBe(1)
    expect(lines.join('\n')).toContain('Set both LOYAL_API_KEY and LOYAL_BASE_URL')
  })
})
