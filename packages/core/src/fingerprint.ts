/** Lower-case hex SHA-256 of `text`, through Web Crypto (no `node:` import). */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))

  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('')
}

/**
 * A safe name for a credential: hex SHA-256 of `baseUrl + '\n' + apiKey`. Used as the store key
 * and for cache keys; it cannot be turned back into the key.
 */
export function credentialFingerprint(baseUrl: string, apiKey: string): Promise<string> {
  return sha256Hex(`${baseUrl}\n${apiKey}`)
}
