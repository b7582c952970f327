import { errorReply, parseJson, type Reply } from '../http-io.js'
import {
  LOCATIONS,
  PROVIDERS,
  ROLLUPS,
  subtotalsFor,
  surveysFor,
  totalsFor,
} from '../sample-data.js'
import { idParam, page } from './paging.js'
import type { Route, RouteContext } from './route.js'

// The POST `.../totals` routes are queries with a list of ids as body: they need read, not write.
// Each answer carries the caller's `clientId`, so tests can tell tenants' answers apart.

function providerTotals(context: RouteContext): Reply {
  const provider = findProvider(context.params.providerId)

  if (provider === undefined) return errorReply(404, 'Provider not found')

  return ok(context, { providerId: provider.providerId, ...totalsFor(provider.providerId) })
}

function providerSubtotals(context: RouteContext): Reply {
  const provider = findProvider(context.params.providerId)

  if (provider === undefined) return errorReply(404, 'Provider not found')

  return { status: 200, body: subtotalsFor(provider.providerId) }
}

function providerSurveys(context: RouteContext): Reply {
  const provider = findProvider(context.params.providerId)

  if (provider === undefined) return errorReply(404, 'Provider not found')

  return page(surveysFor(provider.providerId), context.query)
}

function providersTotals(context: RouteContext): Reply {
  const ids = readIdList(context.body)

  if (!Array.isArray(ids)) return ids

  const known = PROVIDERS.filter((provider) => ids.includes(provider.providerId))

  return {
    status: 200,
    body: known.map((p) => ({ providerId: p.providerId, ...totalsFor(p.providerId) })),
  }
}

function locationById(context: RouteContext): Reply {
  const id = idParam(context.params.locationId)
  const location = LOCATIONS.find((one) => one.locationId === id)

  if (location === undefined) return errorReply(404, 'Location not found')

  return ok(context, location)
}

function locationsTotals(context: RouteContext): Reply {
  const ids = readIdList(context.body)

  if (!Array.isArray(ids)) return ids

  const known = LOCATIONS.filter((location) => ids.includes(location.locationId))

  return {
    status: 200,
    body: known.map((l) => ({ locationId: l.locationId, ...totalsFor(l.locationId) })),
  }
}

function rollups(context: RouteContext): Reply {
  return page(ROLLUPS, context.query)
}

function rollupById(context: RouteContext): Reply {
  const id = idParam(context.params.id)
  const rollup = ROLLUPS.find((one) => one.id === id)

  if (rollup === undefined) return errorReply(404, 'Rollup not found')

  return ok(context, rollup)
}

// v2 nests the metrics and names the id `rollupId`.
function rollupsV2(context: RouteContext): Reply {
  const items = ROLLUPS.map((rollup) => ({
    rollupId: rollup.id,
    name: rollup.name,
    metrics: { providerCount: rollup.providerCount, averageRating: rollup.averageRating },
  }))

  return page(items, context.query)
}

function findProvider(raw: string | undefined): (typeof PROVIDERS)[number] | undefined {
  const id = idParam(raw)

  return PROVIDERS.find((provider) => provider.providerId === id)
}

/** The body of the `.../totals` POSTs: a JSON array of ids (numbers or digit strings). */
function readIdList(body: string): number[] | Reply {
  const parsed = parseJson(body)

  if (parsed === undefined) return errorReply(400, 'Body must be a JSON array of ids')
  if (!Array.isArray(parsed.value)) return errorReply(400, 'Body must be a JSON array of ids')

  const ids = parsed.value.map((item) => (typeof item === 'number' ? item : idParam(String(item))))

  if (ids.some((id) => id === undefined || !Number.isInteger(id))) {
    return errorReply(422, 'Every id must be an integer')
  }

  return ids as number[]
}

function ok(context: RouteContext, body: object): Reply {
  return { status: 200, body: { ...body, clientId: context.clientId } }
}

const routes: Array<Omit<Route, 'resource'>> = [
  { method: 'GET', pattern: '/empower/providers/:providerId/totals', handle: providerTotals },
  { method: 'POST', pattern: '/empower/providers/totals', handle: providersTotals, action: 'read' },
  { method: 'GET', pattern: '/empower/providers/:providerId/subtotals', handle: providerSubtotals },
  { method: 'GET', pattern: '/empower/providers/:providerId/surveys', handle: providerSurveys },
  { method: 'GET', pattern: '/empower/rollups', handle: rollups },
  { method: 'GET', pattern: '/empower/rollups/:id', handle: rollupById },
  { method: 'GET', pattern: '/empower/v2/rollups', handle: rollupsV2 },
  { method: 'GET', pattern: '/empower/locations/:locationId', handle: locationById },
  { method: 'POST', pattern: '/empower/locations/totals', handle: locationsTotals, action: 'read' },
]

export const empowerRoutes: Route[] = routes.map((route) => ({ ...route, resource: 'empower' }))
