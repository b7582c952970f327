// Compiled as .mts and .cts (node16) and .ts (bundler) against the installed package.
import {
  isLoyalError,
  LoyalAuth,
  type LoyalAuthOptions,
  LoyalError,
  type LoyalToken,
} from '@loyal-auth/core'

const options: LoyalAuthOptions = { apiKey: () => 'key', baseUrl: 'http://127.0.0.1:1' }
const auth = new LoyalAuth(options)

export async function use(): Promise<string[]> {
  const token: LoyalToken = await auth.getToken({ forceRefresh: true })
  const response: Response = await auth.fetch('/users', { method: 'GET' })
  const cached: LoyalToken | undefined = auth.peekToken()

  try {
    await auth.close()
  } catch (error: unknown) {
    if (isLoyalError(error)) return [error.code, String(response.status), String(cached)]
    if (error instanceof LoyalError) return [error.message]
  }

  return [...token.scopes]
}
