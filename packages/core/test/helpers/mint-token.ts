import { SignJWT } from 'jose'

const secret = new TextEncoder().encode('test-only-hs256-secret-of-32-bytes!!')

/** Signs `claims` as an HS256 JWT, exactly as given (no claims added). */
export function mintToken(claims: Record<string, unknown>): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'JWT' }).sign(secret)
}
