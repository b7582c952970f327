import { errorReply, type Reply } from '../http-io.js'

const DEFAULT_LIMIT = 10
const MAX_LIMIT = 100

/** A page of a list, the way the Loyal API pages: a bare array cut by `offset` and `limit`. */
export function page<T>(items: readonly T[], query: URLSearchParams): Reply {
  const offset = integerParam(query, 'offset', 0)
  const limit = integerParam(query, 'limit', DEFAULT_LIMIT)

  if (offset === undefined || offset < 0) return errorReply(400, '"offset" must be an integer >= 0')
  if (limit === undefined || limit < 1 || limit > MAX_LIMIT) {
    return errorReply(400, `"limit" must be an integer from 1 to ${MAX_LIMIT}`)
  }

  return { status: 200, body: items.slice(offset, offset + limit) }
}

function integerParam(query: URLSearchParams, name: string, fallback: number): number | undefined {
  const raw = query.get(name)

  if (raw === null || raw === '') return fallback

  const value = Number(raw)

  return Number.isInteger(value) ? value : undefined
}

/** A path id as a number, or `undefined` when it is not a positive integer. */
export function idParam(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^\d+$/.test(raw)) return undefined

  return Number(raw)
}
