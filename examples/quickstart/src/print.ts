/** Where the demo's lines go: the console when run, a list in the smoke test. */
export type Print = (line: string) => void

/** A section title, with a blank line before it. */
export function heading(print: Print, title: string): void {
  print('')
  print(title)
}

/** One aligned `label  value` line; continuation lines of `value` are indented to match. */
export function row(print: Print, label: string, ...lines: string[]): void {
  const [first = '', ...rest] = lines

  print(`  ${label.padEnd(9)}${first}`)
  for (const line of rest) print(`  ${' '.repeat(9)}${line}`)
}

/** A clock time such as `15:31:05 UTC`. */
export function clockTime(date: Date): string {
  return `${date.toISOString().slice(11, 19)} UTC`
}

/** Seconds with one decimal, such as `1.6 s`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`
}

/** A remaining time for people: `3.0 s`, `12 min`, `23 h 59 min`. */
export function remaining(ms: number): string {
  if (ms < 60_000) return seconds(ms)

  const minutes = Math.floor(ms / 60_000)

  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${minutes % 60} min`
}

/** `1 token request`, `3 token requests`. */
export function count(n: number, noun: string, plural = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : plural}`
}
