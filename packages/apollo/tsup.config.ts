import type { Plugin } from 'esbuild'
import { defineConfig } from 'tsup'

// jose ships as ESM only. The ESM build imports it; the CommonJS build bundles the parts it
// uses, because require() of an ES module needs Node 20.19+ and fails under Jest.
const esmOnlyDependencies = ['jose']

const externalOnlyInEsm: Plugin = {
  name: 'external-only-in-esm',
  setup(build) {
    if (build.initialOptions.format !== 'esm') return

    const filter = new RegExp(`^(${esmOnlyDependencies.join('|')})(/|$)`)

    build.onResolve({ filter }, ({ path }) => ({ path, external: true }))
  },
}

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  target: 'node20',
  // Keep `node:` specifiers: runtimes other than Node only recognise the prefixed form.
  removeNodeProtocol: false,
  noExternal: esmOnlyDependencies,
  esbuildPlugins: [externalOnlyInEsm],
})
