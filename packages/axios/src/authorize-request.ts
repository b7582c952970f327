import type { LoyalAuth } from '@loyal-auth/core'
import type { InternalAxiosRequestConfig } from 'axios'
import { type Attachment, unwrap, wrapperCache } from './attachment.js'
import { bearerOf, setAuthorization } from './headers.js'
import { dropBearer, loyalAdapter, markApiRequest } from './loyal-adapter.js'
import { redirectGuard } from './redirect-guard.js'
import { createApiRequestTest } from './request-target.js'

/** What one `attachLoyalAuth` call installs, made once: nothing of it is made per request. */
export function createAttachment(auth: LoyalAuth, retryOnUnauthorized: boolean): Attachment {
  const attachment: Attachment = {
    auth,
    isApiRequest: createApiRequestTest(auth),
    retryOnUnauthorized,
    adapterFor: wrapperCache((original) => loyalAdapter(attachment, original)),
    redirectHookFor: wrapperCache((original) => redirectGuard(auth, original)),
  }

  return attachment
}

/**
 * The request interceptor, registered as synchronous: with a usable token cached it sets the
 * bearer and returns, creating no promise. A cold or expired cache leaves the header unset and
 * lets our adapter wait for the token, so only that request takes the async path. Requests to
 * any other origin are left alone, except that a bearer of ours copied onto one (a reused
 * `response.config`, say) is removed.
 */
export function authorizeRequest(
  attachment: Attachment,
  config: InternalAxiosRequestConfig
): InternalAxiosRequestConfig {
  if (!attachment.isApiRequest(config)) {
    dropBearer(attachment.auth, config.headers)

    return config
  }

  const token = attachment.auth.peekToken()

  if (token) setAuthorization(config.headers, bearerOf(token))

  markApiRequest(config, token)
  config.adapter = attachment.adapterFor(unwrap(config.adapter))
  config.beforeRedirect = attachment.redirectHookFor(unwrap(config.beforeRedirect))

  return config
}
