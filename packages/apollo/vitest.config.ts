import { defineProject } from 'vitest/config'

export default defineProject({
  test: { name: 'apollo', include: ['test/**/*.test.ts'] },
})
