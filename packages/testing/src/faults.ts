import type { IssueTokenOptions } from './types.js'

/** What every fault shares. */
export interface FaultTiming {
  /** How many requests the fault applies to. Default: every request until cleared. */
  times?: number
  /** Milliseconds to wait before answering (alone: answer normally, only late). */
  delay?: number
}

/** Shapes of a broken token response body. */
export type MalformedBody =
  /** 200 with an HTML page. */
  | 'not-json'
  /** 200 with an empty body. */
  | 'empty'
  /** 200 `{"authenticated": true}`. */
  | 'no-token'
  /** 200 `{"authenticated": true, "token": "not-a-jwt"}`. */
  | 'not-jwt'
  /** 200 with three dot-separated parts whose payload is not JSON. */
  | 'bad-claims'

/** A fault of the token endpoint. Fields combine; `delay` applies first. */
export interface TokenFault extends FaultTiming {
  /** Answer with this status (for example 500, 503, 530, 429) and a `{ message }` body. */
  status?: number
  /** Body to send with `status` instead of `{ message }`; a string is sent as is. */
  body?: unknown
  /** `Retry-After`: seconds, or a `Date` sent as an HTTP date. */
  retryAfter?: number | Date
  headers?: Readonly<Record<string, string>>
  /** Accept the request and never answer. `close()` still ends the connection. */
  hang?: boolean
  malformed?: MalformedBody
  /** Answer `200 {"authenticated": false, "token": null}`. */
  authenticated?: false
  /** Answer 500 (or `status`) echoing the request, `Authorization` header included. */
  echo?: boolean
  /** Issue a token, but with these overrides (short-lived, exp-less, odd claims...). */
  token?: IssueTokenOptions
}

/** A fault of API routes, applied before authentication. Fields combine like {@link TokenFault}. */
export interface RouteFault extends FaultTiming {
  /** Only requests with this method. Default: any. */
  method?: string
  status?: number
  body?: unknown
  retryAfter?: number | Date
  headers?: Readonly<Record<string, string>>
  hang?: boolean
  /** Answer 500 (or `status`) echoing the request, `Authorization: Bearer ...` included. */
  echo?: boolean
}

/** A live view of one injected fault. */
export interface FaultHandle {
  /** Requests the fault has been applied to so far. */
  readonly hits: number
  /** Applications left (`Infinity` until cleared). */
  readonly remaining: number
  clear(): void
}

/** `api.faults`: inject failures; the oldest active fault of a kind wins. */
export interface LoyalApiFaults {
  /** @example api.faults.token({ status: 503, times: 1 }) */
  token(fault: TokenFault): FaultHandle
  /**
   * `path` is an exact path, a pattern such as `/rules/:id`, or a RegExp on the path.
   *
   * @example api.faults.route('/empower/rollups/1', { status: 401 })
   */
  route(path: string | RegExp, fault: RouteFault): FaultHandle
  /** Removes every fault. */
  clear(): void
  /** Faults still active. */
  readonly active: number
}

interface Entry<F> {
  fault: F
  remaining: number
  hits: number
}

interface RouteEntry extends Entry<RouteFault> {
  matches: (method: string, path: string) => boolean
}

/** Holds the injected faults and hands them out, one application at a time. */
export class FaultBook implements LoyalApiFaults {
  #tokenFaults: Entry<TokenFault>[] = []
  #routeFaults: RouteEntry[] = []

  token(fault: TokenFault): FaultHandle {
    const entry = newEntry(fault)

    this.#tokenFaults.push(entry)

    return handleOf(entry, () => this.#remove(entry))
  }

  route(path: string | RegExp, fault: RouteFault): FaultHandle {
    const matchesPath = pathMatcher(path)
    const method = fault.method?.toUpperCase()
    const entry: RouteEntry = {
      ...newEntry(fault),
      matches: (m, p) => (method === undefined || m === method) && matchesPath(p),
    }

    this.#routeFaults.push(entry)

    return handleOf(entry, () => this.#remove(entry))
  }

  clear(): void {
    this.#tokenFaults = []
    this.#routeFaults = []
  }

  get active(): number {
    return this.#tokenFaults.length + this.#routeFaults.length
  }

  /** Takes one application of the oldest token fault, if any. */
  takeToken(): TokenFault | undefined {
    return this.#take(this.#tokenFaults[0])
  }

  /** Takes one application of the oldest route fault matching the request, if any. */
  takeRoute(method: string, path: string): RouteFault | undefined {
    return this.#take(this.#routeFaults.find((entry) => entry.matches(method, path)))
  }

  #take<F>(entry: Entry<F> | undefined): F | undefined {
    if (entry === undefined) return undefined

    entry.hits += 1
    entry.remaining -= 1
    if (entry.remaining <= 0) this.#remove(entry)

    return entry.fault
  }

  #remove(entry: object): void {
    this.#tokenFaults = this.#tokenFaults.filter((one) => one !== entry)
    this.#routeFaults = this.#routeFaults.filter((one) => one !== entry)
  }
}

function newEntry<F extends FaultTiming>(fault: F): Entry<F> {
  const times = fault.times ?? Number.POSITIVE_INFINITY

  if (!(times > 0)) throw new TypeError('"times" must be a positive number')

  return { fault, remaining: times, hits: 0 }
}

function handleOf(entry: Entry<unknown>, remove: () => void): FaultHandle {
  return {
    get hits() {
      return entry.hits
    },
    get remaining() {
      return entry.remaining
    },
    clear() {
      entry.remaining = 0
      remove()
    },
  }
}

/** Matches an exact path, a `:param` pattern, or a RegExp. */
export function pathMatcher(path: string | RegExp): (candidate: string) => boolean {
  if (path instanceof RegExp) {
    // Without `g` and `y`, test() keeps no state between requests.
    const stateless = new RegExp(path.source, path.flags.replace(/[gy]/g, ''))

    return (candidate) => stateless.test(candidate)
  }

  const pattern = compilePattern(path)

  return (candidate) => pattern.test(candidate)
}

/** Turns `/rules/:id` into a RegExp with named groups. */
export function compilePattern(path: string): RegExp {
  const source = path
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) return `(?<${segment.slice(1)}>[^/]+)`

      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    })
    .join('/')

  return new RegExp(`^${source}/?$`)
}
