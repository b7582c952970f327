import { expect } from 'vitest'

/** Bearer tokens the embedded API received, so tests can look for them anywhere. */
export function bearersSeen(
  requests: ReadonlyArray<{ authorization: readonly string[] }>
): string[] {
  return requests.flatMap((request) =>
    request.authorization
      .filter((value) => value.startsWith('Bearer '))
      .map((value) => value.slice('Bearer '.length))
  )
}

/** Fails when any of `secrets` (or an auth scheme with a credential) appears in `text`. */
export function expectNoSecrets(text: string, secrets: readonly string[]): void {
  for (const secret of secrets) expect(text).not.toContain(secret)

  expect(text).not.toMatch(/ApiKey\s+\S/)
  expect(text).not.toMatch(/Bearer\s+ey/)
}

/** Headers and body of a response as one string, for secret searches. */
export async function wholeResponse(response: Response): Promise<string> {
  const headers = [...response.headers].map(([name, value]) => `${name}: ${value}`).join('\n')

  return `${response.status}\n${headers}\n\n${await response.text()}`
}
