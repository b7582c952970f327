import { randomBytes, randomUUID } from 'node:crypto'
import type { LoyalApiClient, LoyalApiClientOptions } from './types.js'

/** Read on every resource, write on rules: the example of the Loyal docs, plus Empower. */
export const DEFAULT_SCOPES: readonly string[] = [
  'empower:read',
  'users:read',
  'rules:read',
  'rules:write',
]

export const DEFAULT_ROLES: readonly string[] = ['LoyalApiClientAccess']

/** The client of the published example token. */
export const DEFAULT_CLIENT_ID = '714df406-8802-479f-a96b-f4e362ebab70'
export const DEFAULT_CLIENT_NAME = 'Piedmont Healthcare'

/** A fresh random API key, distinctive enough to search for in logs and errors. */
export function randomApiKey(): string {
  return `loyal_test_${randomBytes(16).toString('hex')}`
}

/** API keys and the identities they stand for. */
export class ClientRegistry {
  readonly #byKey = new Map<string, LoyalApiClient>()

  add(options: LoyalApiClientOptions): LoyalApiClient {
    if (typeof options.apiKey !== 'string' || options.apiKey.trim() === '') {
      throw new TypeError('"apiKey" must be a non-empty string')
    }

    const client: LoyalApiClient = Object.freeze({
      apiKey: options.apiKey,
      clientId: options.clientId ?? randomUUID(),
      clientName: options.clientName ?? `Client ${this.#byKey.size + 1}`,
      scopes: Object.freeze([...(options.scopes ?? DEFAULT_SCOPES)]),
      roles: Object.freeze([...(options.roles ?? DEFAULT_ROLES)]),
      scopeEncoding: options.scopeEncoding,
    })

    this.#byKey.set(client.apiKey, client)

    return client
  }

  remove(apiKey: string): boolean {
    return this.#byKey.delete(apiKey)
  }

  byKey(apiKey: string): LoyalApiClient | undefined {
    return this.#byKey.get(apiKey)
  }

  byId(clientId: string): LoyalApiClient | undefined {
    for (const client of this.#byKey.values()) {
      if (client.clientId === clientId) return client
    }

    return undefined
  }

  list(): LoyalApiClient[] {
    return [...this.#byKey.values()]
  }
}
