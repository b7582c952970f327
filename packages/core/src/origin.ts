import { LoyalError } from './loyal-error.js'

/** 127.0.0.0/8, ::1 and localhost: the only hosts that may see a key or bearer over plain HTTP. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/^\[(.*)\]$/, '$1')
  if (host === 'localhost' || host.endsWith('.localhost')) return true
  if (host === '::1' || host === '0:0:0:0:0:0:0:1') return true

  return /^127(?:\.\d{1,3}){3}$/.test(host)
}

/**
 * Parses and checks `baseUrl`: https (or http on loopback), no credentials, query or fragment.
 * Returns it without a trailing slash, so `baseUrl + path` is the way to build URLs.
 */
export function normalizeBaseUrl(value: unknown): string {
  const invalid = (requirement: string) => new LoyalError('config', `"baseUrl" ${requirement}`)

  if (typeof value !== 'string') throw invalid('must be a string')

  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw invalid('must be an absolute URL')
  }

  const loopback = isLoopbackHost(url.hostname)
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw invalid('must use https (plain http is allowed for loopback addresses only)')
  }

  if (url.username !== '' || url.password !== '') throw invalid('must not hold credentials')
  if (url.search !== '' || url.hash !== '') throw invalid('must not have a query or fragment')

  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`
}

/** Same scheme, host and port: the only test for "may this URL see our bearer". */
export function isSameOrigin(a: URL, b: URL): boolean {
  return a.protocol === b.protocol && a.hostname === b.hostname && a.port === b.port
}

const absoluteUrl = /^[a-z][a-z\d+.-]*:/i

/**
 * Resolves a path against the base URL by concatenation, so a base path (`/v2`) is kept and a
 * protocol-relative `//host` cannot escape to another host.
 */
export function resolveApiUrl(baseUrl: string, pathOrUrl: string | URL): URL {
  if (pathOrUrl instanceof URL) return new URL(pathOrUrl.href)
  if (absoluteUrl.test(pathOrUrl)) return new URL(pathOrUrl)

  const path = pathOrUrl.startsWith('/') ? pathOrUrl : `/${pathOrUrl}`

  return new URL(`${baseUrl}${path}`)
}
