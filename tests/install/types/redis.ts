// Compiled as .mts and .cts (node16) and .ts (bundler) against the installed package.
import { LoyalAuth, type TokenStore } from '@loyal-auth/core'
import { RedisTokenStore } from '@loyal-auth/redis'
import { Redis } from 'ioredis'

const store: TokenStore = new RedisTokenStore({ client: new Redis(), prefix: 'app' })

export const auth = new LoyalAuth({ apiKey: 'key', store, encryptionKey: 'a1'.repeat(32) })
