import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { expect, it } from 'vitest'

const benchDir = fileURLToPath(new URL('..', import.meta.url))

// CI runs no full benchmark: this checks that every suite still starts, measures and reports.
// It runs the bundle, as `pnpm bench` does (see src/build.ts).
it('runs every suite in smoke mode and writes the table', { timeout: 120_000 }, () => {
  const out = mkdtempSync(join(tmpdir(), 'loyal-bench-smoke-'))
  const build = spawnSync(process.execPath, ['--import', 'tsx', 'src/build.ts'], {
    cwd: benchDir,
    encoding: 'utf8',
  })
  expect(build.stderr).toBe('')
  expect(build.status).toBe(0)

  const run = spawnSync(process.execPath, ['dist/main.mjs', '--smoke', `--out=${out}`], {
    cwd: benchDir,
    encoding: 'utf8',
    timeout: 110_000,
  })

  expect(run.stderr).not.toMatch(/Error:/)
  expect(run.status).toBe(0)

  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8'))
  const ids = results.rows.map((row: { id: string }) => row.id)
  expect(ids).toEqual([
    'get-token-cached',
    'peek-token',
    'axios-overhead',
    'axios-cpu',
    'axios-vs-refresh',
    'axios-cpu-in-process',
    'express-overhead',
    'koa-overhead',
    'apollo-overhead',
    'cold-stampede',
    'fleet',
    'memory',
    'outage-tolerance',
  ])
  for (const row of results.rows) expect(['met', 'missed', 'undecided']).toContain(row.verdict)

  // Exact counts do not depend on the machine, even in smoke mode.
  const byId = Object.fromEntries(results.rows.map((row: { id: string }) => [row.id, row]))
  expect(byId['cold-stampede'].data.tokenRequests).toBe(1)
  expect(byId.fleet.data.failures).toEqual([])

  const markdown = readFileSync(join(out, 'RESULTS.md'), 'utf8')
  expect(markdown).toContain('## Method')
  expect(markdown).toContain('| cold stampede |')
  expect(run.stdout).toContain('verdict')
})
