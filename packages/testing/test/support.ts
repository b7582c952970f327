import type { LoyalApi } from '../src/index.js'

export interface JsonResponse {
  status: number
  headers: Headers
  body: unknown
}

/** POSTs to the token endpoint with `ApiKey <key>`, or no Authorization header for `null`. */
export function requestToken(api: LoyalApi, key: string | null = api.apiKey): Promise<Response> {
  const headers: Record<string, string> = key === null ? {} : { Authorization: `ApiKey ${key}` }

  return fetch(api.tokenUrl, { method: 'POST', headers })
}

/** A fresh token from the endpoint, the way a client gets one. */
export async function fetchToken(api: LoyalApi, key: string = api.apiKey): Promise<string> {
  const response = await requestToken(api, key)
  const body = (await response.json()) as { token: string }

  return body.token
}

/** Calls an API path with `Bearer <token>` (none for `null`) and reads the JSON answer. */
export async function callApi(
  api: LoyalApi,
  path: string,
  bearer: string | null,
  init: RequestInit = {}
): Promise<JsonResponse> {
  const headers = new Headers(init.headers)

  if (bearer !== null) headers.set('Authorization', `Bearer ${bearer}`)
  if (init.body !== undefined) headers.set('Content-Type', 'application/json')

  const response = await fetch(`${api.url}${path}`, { ...init, headers, redirect: 'manual' })
  const text = await response.text()

  return { status: response.status, headers: response.headers, body: parse(text) }
}

function parse(text: string): unknown {
  if (text === '') return undefined

  try {
    return JSON.parse(text)
  } catch {
    return text
  }
}
