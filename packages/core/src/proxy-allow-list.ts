/**
 * The routes a browser-facing proxy may forward to the Loyal API, written as
 * `'METHOD /path/pattern'`: `GET /empower/rollups`, `GET /empower/providers/:id/totals`,
 * `GET /empower/*`. `:name` and a `*` inside the path match one segment; a final `*` matches one
 * or more; a method of `*` matches any method. The pattern is a path only: the query of a
 * request passes through as sent, whatever the pattern.
 */
export type ProxyAllowList = readonly string[]

interface AllowRule {
  method: string
  segments: readonly string[]
  /** True when the pattern ends in `/*`: any number (at least one) of further segments. */
  rest: boolean
}

/** Compiled allow list: answers the canonical upstream path for a request, or `undefined`. */
export interface ProxyRouteMatcher {
  /**
   * The path (and query) to request upstream, re-encoded from the segments that were checked,
   * or `undefined` when the route is not allowed or the URL is unsafe.
   */
  match(method: string, url: string): string | undefined
}

const entryPattern = /^(\*|[A-Za-z]+)\s+(\/\S*)$/
// The methods fetch can send upstream; any other name would be a rule that never matches.
const methods = new Set(['*', 'GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])
const methodList = 'GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS or *'

/**
 * Compiles an allow list once; throws `TypeError` naming the bad entry.
 *
 * A request URL is refused, whatever the list says, when it is not a plain path starting with
 * one `/` (absolute URLs, `//host`, backslashes), holds an empty, `.` or `..` segment, or an
 * encoded `/`, `\` or `%` in a segment: those are the usual ways out of an allow list.
 *
 * @example
 * const routes = compileAllowList(['GET /empower/*'])
 * routes.match('GET', '/empower/rollups?limit=5') // '/empower/rollups?limit=5'
 * routes.match('GET', '/empower/..%2Fusers') // undefined
 */
export function compileAllowList(allow: ProxyAllowList): ProxyRouteMatcher {
  if (!Array.isArray(allow) || allow.length === 0) {
    throw new TypeError('"allow" must be a non-empty array such as ["GET /empower/*"]')
  }

  const rules = allow.map(parseRule)

  return {
    match(method, url) {
      const target = parseTarget(url)

      if (target === undefined) return undefined

      const upperMethod = method.toUpperCase()
      const allowed = rules.some((rule) => ruleMatches(rule, upperMethod, target.segments))

      return allowed ? buildPath(target.segments, target.query) : undefined
    },
  }
}

function parseRule(entry: unknown): AllowRule {
  const match = typeof entry === 'string' ? entryPattern.exec(entry.trim()) : null
  const segments = match?.[2]?.slice(1).split('/') ?? []
  const quoted = JSON.stringify(entry)

  if (match === null || segments.some((segment) => !isPatternSegment(segment))) {
    throw new TypeError(`"allow" entry ${quoted} must look like "GET /empower/*"`)
  }

  const method = match[1]!.toUpperCase()

  if (!methods.has(method)) {
    throw new TypeError(`"allow" entry ${quoted} has an unknown method; use one of ${methodList}`)
  }

  // Matching looks at the path only; the query always passes through as sent.
  if (/[?#]/.test(match[2]!)) {
    throw new TypeError(`"allow" entry ${quoted} must be a path without a query or fragment`)
  }

  const rest = segments.at(-1) === '*'

  return { method, segments: rest ? segments.slice(0, -1) : segments, rest }
}

function isPatternSegment(segment: string): boolean {
  return segment !== '' && segment !== '.' && segment !== '..' && !segment.includes('%')
}

function ruleMatches(rule: AllowRule, method: string, segments: readonly string[]): boolean {
  if (rule.method !== '*' && rule.method !== method) return false

  const lengthFits = rule.rest
    ? segments.length > rule.segments.length
    : segments.length === rule.segments.length

  return lengthFits && rule.segments.every((pattern, i) => segmentMatches(pattern, segments[i]!))
}

function segmentMatches(pattern: string, segment: string): boolean {
  return pattern === '*' || pattern.startsWith(':') || pattern === segment
}

// Backslash (read as `/` by some parsers), fragment, whitespace and control characters.
const unsafeUrlCharacters = /[\\#\s\p{Cc}]/u
const encodedSeparator = /%(2f|5c)/i
const unsafeSegmentCharacters = /[/\\%\p{Cc}]/u

function parseTarget(url: string): { segments: string[]; query: string } | undefined {
  if (!url.startsWith('/') || url.startsWith('//') || unsafeUrlCharacters.test(url)) {
    return undefined
  }

  const queryStart = url.indexOf('?')
  const path = queryStart === -1 ? url : url.slice(0, queryStart)
  const query = queryStart === -1 ? '' : url.slice(queryStart)

  if (encodedSeparator.test(path)) return undefined

  const segments = path.slice(1).split('/').map(decodeSegment)

  return segments.every((segment) => segment !== undefined)
    ? { segments: segments as string[], query }
    : undefined
}

function decodeSegment(raw: string): string | undefined {
  let segment: string

  try {
    segment = decodeURIComponent(raw)
  } catch {
    return undefined
  }

  const unsafe = segment === '' || segment === '.' || segment === '..'

  return unsafe || unsafeSegmentCharacters.test(segment) ? undefined : segment
}

function buildPath(segments: readonly string[], query: string): string {
  return `/${segments.map(encodeURIComponent).join('/')}${query}`
}
