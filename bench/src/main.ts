/**
 * `pnpm bench`: measures what loyal-auth costs its users, side by side with the alternatives,
 * prints the table and writes bench/RESULTS.md and bench/results.json.
 *
 *   --smoke        every suite with tiny counts, in seconds (CI checks the scripts still run);
 *                  writes to a temporary folder unless --out is given
 *   --only=a,b     only these suites (names as in the log)
 *   --out=DIR      where RESULTS.md and results.json go
 */
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises'
import { cpus, loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { startLoyalApi } from '@loyal-auth/testing'
import { benchDir } from './child.js'
import { consoleTable, markdownTable, method, missedCauses } from './report.js'
import type { BenchContext, RowResult, Suite } from './suite.js'
import { apolloLoad } from './suites/apollo-load.js'
import { axiosCpu } from './suites/axios-cpu.js'
import { axiosLoad } from './suites/axios-load.js'
import { fleet } from './suites/fleet.js'
import { memory } from './suites/memory.js'
import { expressLoad, koaLoad } from './suites/middleware-load.js'
import { outage } from './suites/outage.js'
import { stampede } from './suites/stampede.js'
import { tokenCache } from './suites/token-cache.js'

/** Timed suites run one after the other, each alone on the machine. */
const timed = [tokenCache, axiosLoad, axiosCpu, expressLoad, koaLoad, apolloLoad] as Suite[]

/**
 * Counted suites judge exact counts (token requests, bytes, simulated hours) that do not depend
 * on how busy the machine is, so they run side by side, after the timed ones. The fleet runs
 * alone after them: starved of CPU for longer than its lock's TTL, a process may rightly take
 * the lock over and fetch a second token, which is not what the row is about.
 */
const counted = [stampede, memory, outage] as Suite[]
const alone = [fleet] as Suite[]

const tableOrder = [...timed, stampede, fleet, memory, outage] as Suite[]

const { values } = parseArgs({
  options: {
    smoke: { type: 'boolean', default: false },
    only: { type: 'string' },
    out: { type: 'string' },
  },
})

const started = Date.now()
const smoke = values.smoke === true
const only = values.only?.split(',')
const log = (message: string) =>
  console.error(`[bench ${((Date.now() - started) / 1000).toFixed(1)}s] ${message}`)

/**
 * The whole run must end within five minutes on 2 cores: a rerun of a timed suite is skipped
 * when it would end after this point, which leaves about a minute for the counted suites.
 */
const rerunDeadlineMs = 210_000

async function runSuite(suite: Suite, ctx: BenchContext): Promise<RowResult[]> {
  const planned = suite.rounds(ctx)
  const suiteStarted = Date.now()
  log(`${suite.name}: ${planned === 0 ? 'once' : `${planned} round(s)`}`)
  const rounds = await suite.measure(ctx, planned)
  const rows = suite.evaluate(rounds, ctx)

  if (smoke || planned === 0 || !rows.some((row) => row.verdict === 'undecided')) return rows

  const took = Date.now() - suiteStarted
  if (Date.now() - started + took > rerunDeadlineMs) {
    log(`${suite.name}: undecided, but a rerun would not fit in the time budget`)

    return rows
  }

  log(`${suite.name}: undecided, measuring ${planned} more round(s)`)
  const more = await suite.measure(ctx, planned)

  return suite.evaluate([...rounds, ...more], ctx).map((row) => ({ ...row, rerun: true }))
}

async function main(): Promise<void> {
  const loadBefore = loadavg()[0]!
  const api = await startLoyalApi({ maxRequests: 0 })
  const ctx: BenchContext = {
    smoke,
    api,
    token: await api.issueToken({ duration: 86_400_000 }),
    log,
  }

  const rows: RowResult[] = []
  try {
    const selected = (list: Suite[]) =>
      list.filter((s) => only === undefined || only.includes(s.name))
    const results = new Map<Suite, RowResult[]>()

    for (const suite of selected(timed)) results.set(suite, await runSuite(suite, ctx))
    await Promise.all(
      selected(counted).map(async (suite) => results.set(suite, await runSuite(suite, ctx)))
    )
    for (const suite of selected(alone)) results.set(suite, await runSuite(suite, ctx))

    for (const suite of tableOrder) rows.push(...(results.get(suite) ?? []))
  } finally {
    await api.close()
  }

  const seconds = (Date.now() - started) / 1000
  const load = [loadBefore, loadavg()[0]!].map((value) => value.toFixed(1)).join(' → ')
  const machine =
    `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, Node ${process.version}, ` +
    `load average ${load} (other processes compete for the cores when it is above ${cpus().length})`
  const outDir = values.out ?? (smoke ? await mkdtemp(join(tmpdir(), 'loyal-bench-')) : benchDir)
  const heading = smoke
    ? '# loyal-auth benchmarks (smoke run: tiny counts, numbers mean nothing)'
    : '# loyal-auth benchmarks'

  const markdown = [
    heading,
    '',
    'What loyal-auth costs its users, measured side by side with the alternatives. Run it with',
    '`pnpm bench` (about four minutes on 2 cores); `pnpm --filter @loyal-auth/bench smoke` checks',
    'that every suite still starts.',
    '',
    method,
    '## Results',
    '',
    markdownTable(rows),
    '',
    missedCauses(rows),
    `Run: ${new Date(started).toISOString()}, ${seconds.toFixed(0)} s, ${machine}.`,
    '',
  ].join('\n')
  const json = { startedAt: new Date(started).toISOString(), seconds, machine, smoke, rows }

  await mkdir(outDir, { recursive: true })
  await writeFile(join(outDir, 'RESULTS.md'), markdown)
  await writeFile(join(outDir, 'results.json'), `${JSON.stringify(json, null, 2)}\n`)

  console.log(`\n${consoleTable(rows)}\n`)
  const causes = missedCauses(rows)
  if (causes !== '') console.log(causes)
  console.log(`${rows.length} rows in ${seconds.toFixed(0)} s; written to ${outDir}`)
}

await main()
