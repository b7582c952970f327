import type { RowResult } from './suite.js'

export const method = `## Method

- One run of \`pnpm bench\` measures every row, on this machine, in one go; the numbers below
  come from the run recorded at the bottom. It runs a bundle of the bench made with esbuild the
  way tsup builds the published packages (SDK from source, no \`keepNames\`).
- A ratio's two sides are measured in the same run, interleaved (A B, B A, A B, ...; three
  variants: A B C, C B A, ...), over several rounds after a warm-up. Each round gives one
  ratio (or difference); the figure is the median of the rounds, with a 95% bootstrap interval
  of that median (4,000 resamples, seeded). results.json keeps every round.
- Verdict: **met** when the whole interval clears the goal, **missed** when none of it does,
  **undecided** when the interval spans the goal. An undecided row is measured once more with
  as many rounds again, and judged on the rounds of both runs.
- HTTP servers run in a child process, so the load generator (axios in the parent, or
  autocannon) and the server do not share an event loop. Loopback throughput swings by about
  ±4% on these 2-core machines; CPU time per request (\`process.cpuUsage\`, user + system) is
  steadier, so it is reported next to throughput and used to find where time goes. Rounds
  of throughput swing far more than that here (±20% between adjacent 0.75 s windows is
  common), so a server row's interval is wide; a CPU profile of the server child says what
  loyal-auth's own code costs there (bench/README.md, "Reading the HTTP rows").
- The axios CPU cost is measured twice: under the loopback load, where it is a small difference
  of two large, noisy figures (the HTTP client's own cost), and through a canned axios adapter
  with no socket, where only axios and the interceptor run.
- Counts (token requests, heap growth, outage tolerance) are measured once, side by side after
  the timed rows, and are exact. The outage runs on an injected clock, so simulated hours take
  real seconds.
- The load average before and after the run is recorded at the bottom: above 2 (the number of
  cores), other processes took CPU time during the run, and intervals widen accordingly.
`

function cell(text: string): string {
  return text.replaceAll('|', '\\|').replaceAll('\n', ' ')
}

const marks = { met: '✅ met', missed: '❌ missed', undecided: '❔ undecided' } as const

/** The results table, in Markdown. */
export function markdownTable(rows: readonly RowResult[]): string {
  const lines = [
    '| figure | how | goal | result | verdict |',
    '| --- | --- | --- | --- | --- |',
    ...rows.map((row) => {
      const verdict = `${marks[row.verdict]}${row.rerun ? ' (rerun)' : ''}`

      return `| ${cell(row.figure)} | ${cell(row.how)} | ${cell(row.goal)} | ${cell(row.result)} | ${verdict} |`
    }),
  ]

  return lines.join('\n')
}

/** Why the missed rows are missed, as far as the numbers show it. */
export function missedCauses(rows: readonly RowResult[]): string {
  const missed = rows.filter((row) => row.verdict === 'missed' && row.cause !== undefined)
  if (missed.length === 0) return ''

  return [
    '## Why rows are missed',
    '',
    ...missed.map((row) => `- **${row.figure}**: ${row.cause}`),
    '',
  ].join('\n')
}

/** The table for a terminal: figure, goal, result, verdict. */
export function consoleTable(rows: readonly RowResult[]): string {
  const header = ['figure', 'goal', 'result', 'verdict']
  const body = rows.map((row) => [
    row.figure,
    row.goal,
    row.result,
    `${row.verdict}${row.rerun ? ' (rerun)' : ''}`,
  ])
  const widths = header.map((_, i) => Math.max(...[header, ...body].map((line) => line[i]!.length)))
  const format = (line: string[]) => line.map((text, i) => text.padEnd(widths[i]!)).join('  ')

  return [format(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(format)].join(
    '\n'
  )
}
