import { defineConfig } from 'vitest/config'

// One vitest run covers every package; each package may add its own vitest.config.ts.
export default defineConfig({
  test: {
    // tests/peers: suites re-run against the oldest peer version they declare.
    projects: ['packages/*', 'examples/*', 'bench', 'tests/peers/vitest.*.config.ts'],
  },
})
