import type { Fetcher } from './authorized-fetcher.js'
import { systemCode } from './transport-failure.js'

type FetcherResponse = Awaited<ReturnType<Fetcher>>

// The status of the answer whose body could not be read, by the error reading it failed with.
const statuses = new WeakMap<object, number>()

/**
 * RESTDataSource's parsing of `response`, where a body that cannot be read is told apart from
 * an error of the user's own code (a `parseBody` override): the API answered, and what it
 * answered was broken. A failed status says more than its body could: it is reported by
 * status, with no body.
 */
export function readAnswer(
  parsing: Promise<object | string>,
  response: FetcherResponse
): Promise<object | string> {
  return parsing.catch((error: unknown) => {
    if (!response.ok) return ''

    if (typeof error === 'object' && error !== null) statuses.set(error, response.status)

    throw error
  })
}

/** The status of the answer `error` failed to read, when it is such a failure. */
export function unreadableAnswerStatus(error: unknown): number | undefined {
  return typeof error === 'object' && error !== null ? statuses.get(error) : undefined
}

/**
 * Why the answer could not be read. Never the parser's message: V8 quotes the start of the
 * body, and an API that echoes a request may put a key or token there.
 */
export function unreadableAnswerReason(error: unknown): string {
  if (!(error instanceof SyntaxError)) return `its body could not be received${systemCode(error)}`

  // Where the JSON broke is safe to tell; what stands there is not.
  const position = /\bat position (\d+)/.exec(error.message)?.[1]

  return `its body is not valid JSON${position === undefined ? '' : ` (at position ${position})`}`
}
