import { defineProject } from 'vitest/config'

export default defineProject({
  test: {
    name: 'redis',
    include: ['test/**/*.test.ts'],
    // Starts a real redis-server on a free loopback port (or uses REDIS_URL) for every test.
    globalSetup: ['./test/global-setup.ts'],
    testTimeout: 20_000,
  },
})
