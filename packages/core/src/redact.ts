/** What every hidden secret is replaced with. */
export const REDACTED = '[redacted]'

// Three base64url parts whose first two start like a JSON object (`{"` encodes to `eyJ`).
const jwtPattern = /eyJ[\w-]*\.eyJ[\w-]*\.[\w-]*/g

// The credential after an `ApiKey` or `Bearer` scheme, as in a logged header.
const schemePattern = /\b(ApiKey|Bearer)(\s+)(?!\[redacted\])[^\s"',;]+/gi

/**
 * Hides secrets in text meant for logs or errors: each of `secrets` (also URL-encoded), any
 * JWT-looking string, and the credential after `ApiKey` or `Bearer`, each replaced with
 * `[redacted]`. Empty secrets are skipped; longer secrets are replaced first.
 *
 * @example
 * redactSecrets('POST failed, Authorization: ApiKey k3y', ['k3y'])
 * // 'POST failed, Authorization: ApiKey [redacted]'
 */
export function redactSecrets(text: string, secrets: Iterable<string> = []): string {
  let result = String(text)

  for (const secret of orderedSecrets(secrets)) result = result.split(secret).join(REDACTED)

  return result.replace(jwtPattern, REDACTED).replace(schemePattern, `$1$2${REDACTED}`)
}

function orderedSecrets(secrets: Iterable<string>): string[] {
  const all = new Set<string>()

  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret === '') continue

    all.add(secret)
    all.add(encodeURIComponent(secret))
  }

  return [...all].sort((a, b) => b.length - a.length)
}
