import { defineConfig } from 'vitest/config'

// One vitest run covers every package; each package may add its own vitest.config.ts.
export default defineConfig({
  test: {
    projects: ['packages/*', 'examples/*', 'bench'],
  },
})
