export {
  type RedisClient,
  RedisTokenStore,
  type RedisTokenStoreOptions,
} from './redis-token-store.js'
