// Redis: two LoyalAuth instances (two "processes") share one encrypted token through Redis.
export default async function scenario({ load, peer, api, assert, env }) {
  const { LoyalAuth } = await load('@loyal-auth/core')
  const { RedisTokenStore } = await load('@loyal-auth/redis')
  const Redis = await peer('ioredis')
  const redis = new Redis(env.REDIS_URL)
  const prefix = `install-test:${Math.random().toString(36).slice(2)}:`
  const options = {
    apiKey: api.apiKey,
    baseUrl: api.url,
    // 32 bytes, hex: the key every record in Redis is encrypted under.
    encryptionKey: 'a1'.repeat(32),
  }
  const first = new LoyalAuth({ ...options, store: new RedisTokenStore({ client: redis, prefix }) })
  const second = new LoyalAuth({
    ...options,
    store: new RedisTokenStore({ client: redis, prefix }),
  })

  try {
    const token = await first.getToken()
    const shared = await second.getToken()

    assert.equal(shared.value, token.value, 'the second instance read the stored token')
    assert.equal(api.counters.tokenRequests, 1)

    return `redis: one token request for two instances, expires ${token.expiresAt.toISOString()}`
  } finally {
    await first.close()
    await second.close()
    redis.disconnect()
  }
}
