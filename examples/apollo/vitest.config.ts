import { defineProject } from 'vitest/config'

export default defineProject({
  test: { name: 'example-apollo', include: ['test/**/*.test.ts'] },
})
