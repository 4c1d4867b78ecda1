/**
 * `RedisTokenStore`: Qonto tokens shared by many server processes, one refresh among them.
 *
 * @module @qonto-oauth/redis
 */
export { RedisTokenStore, type RedisTokenStoreOptions } from './redis-token-store.js';
