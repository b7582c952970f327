import type { Estimate } from './stats.js'

/** `0.991 (0.975–1.004)`: median and its 95% interval. */
export function formatEstimate(figure: Estimate, digits = 3, unit = ''): string {
  const f = (value: number) => `${value.toFixed(digits)}${unit}`

  return `${f(figure.median)} (${f(figure.low)}–${f(figure.high)})`
}

/** `12,345`: thousands grouped, no decimals. */
export function formatCount(value: number): string {
  return Math.round(value).toLocaleString('en-US')
}

/** `3 h 35 min` */
export function formatDuration(ms: number): string {
  const minutes = Math.round(ms / 60_000)
  const hours = Math.floor(minutes / 60)
  const rest = minutes % 60

  return hours === 0 ? `${rest} min` : `${hours} h ${String(rest).padStart(2, '0')} min`
}

/** `1.23 MB` or `456 KB` */
export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? '−' : ''
  const size = Math.abs(bytes)
  if (size >= 1024 * 1024) return `${sign}${(size / 1024 / 1024).toFixed(2)} MB`

  return `${sign}${(size / 1024).toFixed(0)} KB`
}
