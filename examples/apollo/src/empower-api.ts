import { LoyalDataSource } from '@loyal-auth/apollo'

export interface Rollup {
  id: number
  name: string
  providerCount: number
  averageRating: number
}

export interface ProviderTotals {
  providerId: number
  reviews: number
  averageRating: number
  surveys: number
}

export interface Location {
  locationId: number
  name: string
  city: string
  state: string
}

export interface Rule {
  id: number
  name: string
  condition: string
  enabled: boolean
}

export type NewRule = Omit<Rule, 'id'>

/** One method per Loyal route. Paths are relative to `auth.baseUrl`. */
export class EmpowerAPI extends LoyalDataSource {
  rollups(offset: number, limit: number): Promise<Rollup[]> {
    return this.get('empower/rollups', { params: { offset: String(offset), limit: String(limit) } })
  }

  rollup(id: number): Promise<Rollup> {
    return this.get(`empower/rollups/${id}`)
  }

  providerTotals(providerId: number): Promise<ProviderTotals> {
    return this.get(`empower/providers/${providerId}/totals`)
  }

  /** The batch route: one request for many providers. */
  providersTotals(providerIds: readonly number[]): Promise<ProviderTotals[]> {
    return this.post('empower/providers/totals', { body: [...providerIds] })
  }

  location(locationId: number): Promise<Location> {
    return this.get(`empower/locations/${locationId}`)
  }

  rules(): Promise<Rule[]> {
    return this.get('rules')
  }

  /** Refused with FORBIDDEN before any request when the token lacks `rules:write`. */
  async createRule(rule: NewRule): Promise<Rule> {
    await this.requireScopes('rules:write')

    return this.post('rules', { body: rule })
  }
}
