/**
 * Bundles the bench (src/main.ts and the child scripts in src/servers/) into dist/ with esbuild,
 * the way tsup builds the published packages: @loyal-auth/* compiled from source into the
 * bundle, target node20, no `keepNames`. Running under tsx instead would wrap every inner
 * function of the SDK in a `__name()` call (tsx sets keepNames), a cost users never pay and of
 * the size of what is being measured. Third-party packages stay external, loaded as installed.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { build } from 'esbuild'
import { benchDir } from './child.js'

const manifest = JSON.parse(readFileSync(join(benchDir, 'package.json'), 'utf8')) as {
  dependencies: Record<string, string>
}
const external = Object.keys(manifest.dependencies)
  .filter((name) => !name.startsWith('@loyal-auth/'))
  .flatMap((name) => [name, `${name}/*`])

const servers = readdirSync(join(benchDir, 'src/servers'))
  .filter((file) => file.endsWith('.ts'))
  .map((file) => ({ in: `src/servers/${file}`, out: `servers/${file.replace(/\.ts$/, '')}` }))

await build({
  absWorkingDir: benchDir,
  entryPoints: [{ in: 'src/main.ts', out: 'main' }, ...servers],
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external,
  logLevel: 'warning',
})
