import { LoyalAuth } from '@loyal-auth/core'
import { startLoyalApi } from '@loyal-auth/testing'

/** The Loyal API the example talks to, with the credentials it may use. */
export interface Target {
  /** Shown at start-up: which API this is. */
  label: string
  auth: LoyalAuth
  /** Extra credentials by tenant name, picked with the `x-loyal-tenant` header. */
  tenants: Record<string, LoyalAuth>
  close(): Promise<void>
}

/**
 * The real API named by `LOYAL_API_KEY` and `LOYAL_BASE_URL`, or, when neither is set, an
 * embedded Loyal API on loopback with two clients: the default one (read on empower and rules,
 * write on rules) and a `read-only` tenant that may not create rules.
 */
export async function openTarget(env: NodeJS.ProcessEnv): Promise<Target> {
  const apiKey = env.LOYAL_API_KEY
  const baseUrl = env.LOYAL_BASE_URL

  if (apiKey && baseUrl) return realTarget(apiKey, baseUrl)
  if (apiKey || baseUrl) {
    throw new Error('Set both LOYAL_API_KEY and LOYAL_BASE_URL, or neither for the embedded API')
  }

  return embeddedTarget()
}

function realTarget(apiKey: string, baseUrl: string): Target {
  const auth = new LoyalAuth({ apiKey, baseUrl })

  return {
    label: `the Loyal API at ${auth.baseUrl}`,
    auth,
    tenants: {},
    close: () => auth.close(),
  }
}

async function embeddedTarget(): Promise<Target> {
  const api = await startLoyalApi()
  const readOnly = api.addClient({
    apiKey: 'loyal_example_read_only',
    clientName: 'Read-only tenant',
    scopes: ['empower:read', 'rules:read'],
  })
  const auth = new LoyalAuth({ apiKey: api.apiKey, baseUrl: api.url })
  const tenants = { 'read-only': new LoyalAuth({ apiKey: readOnly.apiKey, baseUrl: api.url }) }

  return {
    label: `an embedded Loyal API at ${api.url}`,
    auth,
    tenants,
    async close() {
      await Promise.all([auth.close(), tenants['read-only'].close()])
      await api.close()
    },
  }
}
