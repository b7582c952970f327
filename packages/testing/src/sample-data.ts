// Small, deterministic sample data. Ids are stable across versions: tests may rely on them.

export interface Provider {
  providerId: number
  name: string
  specialty: string
  locationId: number
}

export interface Location {
  locationId: number
  name: string
  city: string
  state: string
}

export interface Rollup {
  id: number
  name: string
  providerCount: number
  averageRating: number
}

export interface User {
  id: number
  name: string
  email: string
  role: string
}

export interface Rule {
  id: number
  name: string
  condition: string
  enabled: boolean
}

export const PROVIDERS: readonly Provider[] = [
  { providerId: 101, name: 'Dr. Ada Park', specialty: 'Cardiology', locationId: 201 },
  { providerId: 102, name: 'Dr. Ben Osei', specialty: 'Pediatrics', locationId: 201 },
  { providerId: 103, name: 'Dr. Chloe Ruiz', specialty: 'Orthopedics', locationId: 202 },
]

export const LOCATIONS: readonly Location[] = [
  { locationId: 201, name: 'Piedmont Atlanta', city: 'Atlanta', state: 'GA' },
  { locationId: 202, name: 'Piedmont Athens', city: 'Athens', state: 'GA' },
]

/** Rollups 1..25, enough for paging with `offset`/`limit`. */
export const ROLLUPS: readonly Rollup[] = Array.from({ length: 25 }, (_, index) => ({
  id: index + 1,
  name: `Rollup ${index + 1}`,
  providerCount: 3 + (index % 5),
  averageRating: Math.round((4 + ((index * 7) % 10) / 10) * 10) / 10,
}))

export const USERS: readonly User[] = [
  { id: 1, name: 'Avery Lee', email: 'avery.lee@example.com', role: 'admin' },
  { id: 2, name: 'Blake Kim', email: 'blake.kim@example.com', role: 'analyst' },
  { id: 3, name: 'Casey Diaz', email: 'casey.diaz@example.com', role: 'viewer' },
]

export const RULES: readonly Rule[] = [
  { id: 1, name: 'Low rating alert', condition: 'rating < 3', enabled: true },
  { id: 2, name: 'Survey follow-up', condition: 'surveys.pending > 10', enabled: false },
]

/** Review totals of a provider or location, derived from its id so they stay deterministic. */
export function totalsFor(id: number): { reviews: number; averageRating: number; surveys: number } {
  return {
    reviews: 40 + ((id * 37) % 200),
    averageRating: Math.round((3.5 + ((id * 13) % 15) / 10) * 10) / 10,
    surveys: 100 + ((id * 53) % 400),
  }
}

export function subtotalsFor(id: number): Array<{ category: string; reviews: number }> {
  return ['communication', 'wait-time', 'bedside-manner'].map((category, index) => ({
    category,
    reviews: 5 + ((id * (index + 3)) % 40),
  }))
}

export function surveysFor(id: number): Array<{ surveyId: number; score: number }> {
  return [1, 2, 3].map((n) => ({ surveyId: id * 10 + n, score: 5 + ((id + n * 3) % 6) }))
}
