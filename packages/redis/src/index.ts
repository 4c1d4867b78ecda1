/**
 * `RedisTokenStore`: Qonto tokens shared by many server processes, one refresh among them; `RedisConnectionStore`:
 * the connections of `QontoConnections` in the same Redis.
 *
 * @module @qonto-oauth/redis
 */

export { RedisConnectionStore, type RedisConnectionStoreOptions } from './redis-connection-store.js';
export { type RedisClient, RedisTokenStore, type RedisTokenStoreOptions } from './redis-token-store.js';
