import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

import { defineConfig } from 'vitest/config'

// The whole @loyal-auth/axios suite again, with every `axios` import (the adapter's own and
// the tests') served by the oldest axios its peer range allows: the root's `axios17` alias.
//   pnpm exec vitest run --project 'axios (oldest axios)'
const here = dirname(fileURLToPath(import.meta.url))
const require = createRequire(import.meta.url)
const oldest = dirname(require.resolve('axios17/package.json'))
const axiosPackage = join(here, '..', '..', 'packages', 'axios')

export default defineConfig({
  root: axiosPackage,
  resolve: { alias: [{ find: /^axios$/, replacement: join(oldest, 'index.js') }] },
  test: {
    name: 'axios (oldest axios)',
    dir: axiosPackage,
    include: ['test/**/*.test.ts'],
    setupFiles: [join(here, 'axios-oldest.setup.ts')],
  },
})
