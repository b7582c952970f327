import type { LoyalAuth } from '@loyal-auth/core'
import type { InternalAxiosRequestConfig } from 'axios'
import { type Attachment, unwrap, wrapperCache } from './attachment.js'
import { loyalAdapter } from './loyal-adapter.js'
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
 * The request interceptor, registered as synchronous so it creates no promise: it only routes
 * the request through our adapter, around whichever adapter the request would have used (the
 * instance's, or one set on this request). The adapter does the rest, after every interceptor
 * has had its say about where the request goes.
 */
export function routeRequest(
  attachment: Attachment,
  config: InternalAxiosRequestConfig
): InternalAxiosRequestConfig {
  config.adapter = attachment.adapterFor(unwrap(config.adapter))

  return config
}
