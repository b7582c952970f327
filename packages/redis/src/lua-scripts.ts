/**
 * The store's Redis side. Each script runs atomically on the server, which is what makes the
 * lock safe (only its owner renews or releases it) and stops a late write from replacing a newer
 * token. Times are read from Redis (`TIME`), so the processes' own clocks never matter.
 *
 * Keys of one credential share a hash tag (`{…}`), so the scripts also run on Redis Cluster.
 */

/** Fences outlive any lock hold by far; they only need to survive between two refreshes. */
export const fenceLifetime = 7 * 24 * 60 * 60 * 1000

/**
 * KEYS: lock, fence, record. ARGV: owner, lock ttl (ms), fence lifetime (ms).
 * Returns `{fence, 0}` when the lock was taken (fence = a number that grows with every
 * acquisition), else `{0, recordExpiresAt}` so a waiter can see the holder's write land.
 */
export const acquireScript = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  local fence = redis.call('INCR', KEYS[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
  return {fence, 0}
end
return {0, tonumber(redis.call('HGET', KEYS[3], 'expiresAt') or '0')}
`

/** KEYS: lock. ARGV: owner, ttl (ms). Extends the lock only while `owner` holds it. */
export const renewScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
`

/** KEYS: lock. ARGV: owner. Compare-and-delete: never frees a lock someone else took over. */
export const releaseScript = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
`

/**
 * KEYS: record, fence. ARGV: record, ttl (ms), fence of the writer's lock (0 without one).
 * A writer that held the lock writes only if no one took the lock after it (its fence is still
 * the latest). A writer without the lock writes only a record that lives at least as long as
 * the stored one. Either way a late result never replaces a newer token. Returns 1 if written.
 */
export const writeScript = `
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
local ttl = tonumber(ARGV[2])
local expiresAt = now + ttl
local fence = tonumber(ARGV[3])
local latest = redis.call('GET', KEYS[2])

if fence > 0 and latest then
  if tonumber(latest) ~= fence then return 0 end
else
  local stored = tonumber(redis.call('HGET', KEYS[1], 'expiresAt') or '0')
  if stored > expiresAt then return 0 end
end

redis.call('HSET', KEYS[1], 'record', ARGV[1], 'expiresAt', expiresAt)
redis.call('PEXPIRE', KEYS[1], ttl)
return 1
`
