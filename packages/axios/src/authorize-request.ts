import type { InternalAxiosRequestConfig } from 'axios'
import { type Attachment, type SentToken, unwrap } from './attachment.js'
import { bearerOf, setAuthorization } from './headers.js'
import { dropBearer, loyalAdapter } from './loyal-adapter.js'
import { redirectGuard } from './redirect-guard.js'

/**
 * The request interceptor, registered as synchronous: with a usable token cached it sets the
 * bearer and returns, creating no promise. A cold or expired cache leaves the header unset and
 * lets the wrapped adapter wait for the token, so only that request takes the async path.
 * Requests to any other origin are left alone, except that a bearer of ours copied onto one
 * (a reused `response.config`, say) is removed.
 */
export function authorizeRequest(
  attachment: Attachment,
  config: InternalAxiosRequestConfig
): InternalAxiosRequestConfig {
  if (!attachment.isApiRequest(config)) {
    dropBearer(config.headers, attachment.auth.peekToken())

    return config
  }

  const sent: SentToken = { token: attachment.auth.peekToken() }

  if (sent.token) setAuthorization(config.headers, bearerOf(sent.token))

  config.adapter = loyalAdapter(attachment, unwrap(config.adapter), sent)
  config.beforeRedirect = redirectGuard(attachment, unwrap(config.beforeRedirect), sent)

  return config
}
