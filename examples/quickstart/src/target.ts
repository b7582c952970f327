import { LoyalAuth, type LoyalAuthOptions } from '@loyal-auth/core'
import { type LoyalApi, startLoyalApi } from '@loyal-auth/testing'

/** Where the demo sends its calls, and which calls make sense there. */
export interface Target {
  auth: LoyalAuth
  /** Shown at the top: which API this is. */
  label: string
  /** The embedded API, when the demo started one (it counts token requests for us). */
  api: LoyalApi | undefined
  /** A read the token may make. */
  readPath: string
  /** A write the token may make; undefined against a real API, whose data the demo leaves alone. */
  write: { path: string; body: Record<string, unknown> } | undefined
  /** A call the token may not make, the scope it would need, and whether to send it anyway. */
  forbidden: { method: 'GET' | 'POST'; path: string; scope: string; send: boolean }
  close(): Promise<void>
}

export type TargetHooks = Pick<LoyalAuthOptions, 'hooks'>

/** Token lifetime of the embedded API, short so that a refresh happens within the demo. */
export const EMBEDDED_TOKEN_LIFETIME = 4_000

/**
 * The real API named by `LOYAL_API_KEY` and `LOYAL_BASE_URL`, or, when neither is set, an
 * embedded Loyal API on loopback whose client may read users and read and write rules (the
 * example of the Loyal docs) and nothing else.
 */
export async function openTarget(env: NodeJS.ProcessEnv, hooks: TargetHooks): Promise<Target> {
  const apiKey = env.LOYAL_API_KEY
  const baseUrl = env.LOYAL_BASE_URL

  if (apiKey && baseUrl) return realTarget(apiKey, baseUrl, hooks)
  if (apiKey || baseUrl) {
    throw new Error('Set both LOYAL_API_KEY and LOYAL_BASE_URL, or neither for the embedded API')
  }

  return embeddedTarget(hooks)
}

function realTarget(apiKey: string, baseUrl: string, hooks: TargetHooks): Target {
  const auth = new LoyalAuth({ apiKey, baseUrl, ...hooks })

  return {
    auth,
    label: `the Loyal API at ${auth.baseUrl}`,
    api: undefined,
    readPath: '/empower/rollups?offset=0&limit=3',
    write: undefined,
    // Checked before sending, never sent: the demo does not write to a real API.
    forbidden: { method: 'POST', path: '/users', scope: 'users:write', send: false },
    close: () => auth.close(),
  }
}

async function embeddedTarget(hooks: TargetHooks): Promise<Target> {
  const api = await startLoyalApi({
    scopes: ['users:read', 'rules:read', 'rules:write'],
    tokenDuration: EMBEDDED_TOKEN_LIFETIME,
  })
  const auth = new LoyalAuth({
    apiKey: api.apiKey,
    baseUrl: api.url,
    // A 4-second token: stop using it 1 s before it expires, refresh it halfway through.
    skewDuration: 1_000,
    refreshWindow: [0.5, 0.6],
    ...hooks,
  })

  return {
    auth,
    label: `an embedded Loyal API at ${api.url} (tokens live ${EMBEDDED_TOKEN_LIFETIME / 1000} s)`,
    api,
    readPath: '/users?offset=0&limit=3',
    write: {
      path: '/rules',
      body: { name: 'Flag late surveys', condition: 'survey.age > 30d', enabled: true },
    },
    forbidden: {
      method: 'GET',
      path: '/empower/rollups?limit=3',
      scope: 'empower:read',
      send: true,
    },
    async close() {
      await auth.close()
      await api.close()
    },
  }
}
