import { errorReply, type Reply } from '../http-io.js'
import { headerMap } from '../recorder.js'
import type { Route, RouteContext } from './route.js'

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308])

/** Answers with what it received, every value of every header included. */
function echo(context: RouteContext): Reply {
  const headers = Object.fromEntries(headerMap(context.request.rawHeaders))

  return {
    status: 200,
    body: { method: context.method, url: context.request.url, headers, body: context.body },
  }
}

/** `?to=<absolute URL>&status=302`: sends the client somewhere else, possibly another origin. */
function redirect(context: RouteContext): Reply {
  const to = context.query.get('to')
  const status = Number(context.query.get('status') ?? 302)

  if (to === null || !URL.canParse(to, 'http://placeholder')) {
    return errorReply(400, '"to" must be a URL')
  }
  if (!REDIRECT_STATUSES.has(status)) return errorReply(400, '"status" must be a redirect status')

  return { status, headers: { Location: to }, body: { location: to } }
}

function health(): Reply {
  return { status: 200, body: { status: 'ok' } }
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE']

/** Public routes: no token needed. */
export const utilityRoutes: Route[] = [
  ...METHODS.map((method) => ({ method, pattern: '/echo', handle: echo })),
  ...METHODS.map((method) => ({ method, pattern: '/redirect', handle: redirect })),
  { method: 'GET', pattern: '/health', handle: health },
].map((route) => ({ ...route, resource: undefined }))
