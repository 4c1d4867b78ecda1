import {
  QontoConfigError,
  type QontoConnectionRecord,
  type QontoConnectionStore,
  type QontoPendingConnection,
  QontoTokenStoreError,
} from '@qonto-oauth/core';
import { internalsOf, RedisTokenStore, type RedisTokenStoreOptions } from './redis-token-store.js';

/** Options of {@link RedisConnectionStore}: those of `RedisTokenStore`, which holds the tokens. */
export type RedisConnectionStoreOptions = RedisTokenStoreOptions;

/**
 * Core's `QontoConnectionStore` on Redis or Redis Cluster, shared by every process of an app: pass it to
 * `QontoConnections`. Its `tokens` is a {@link RedisTokenStore} (same client, `keyPrefix` and `encryptionKey`), so a
 * connection is refreshed once among all processes.
 *
 * Keys, after `keyPrefix`: `user:{<user>}:connections` (a hash of the user's records by organization id),
 * `organization:{<organization>}:users` (the users connected to it), `pending:{<state>}` (a started connection, with
 * the time to live `QontoConnections` gives, taken once with GETDEL: Redis 6.2 or later), and the token store's
 * `connection:{<user>:<organization>}`. Ids are percent-encoded in keys. With `encryptionKey`, records and pending
 * connections (which hold the PKCE verifier) are encrypted like the tokens.
 *
 * @example
 * const store = new RedisConnectionStore({ url: process.env.REDIS_URL, encryptionKey: process.env.TOKEN_KEY });
 * const connections = new QontoConnections({ client, store, stagingToken });
 */
export class RedisConnectionStore implements QontoConnectionStore {
  /** The connections' tokens, in Redis: refreshes are coordinated among processes. */
  readonly tokens: RedisTokenStore;

  constructor(options: RedisConnectionStoreOptions) {
    this.tokens = new RedisTokenStore(options);
  }

  async get(userKey: string, organizationId: string): Promise<QontoConnectionRecord | undefined> {
    const hash = this.#userKey(userKey);
    const { run, client } = internalsOf(this.tokens);
    const value = await run(`reading connection ${describe(userKey, organizationId)}`, undefined, () =>
      client.hget(hash, checkId(organizationId)),
    );
    return value === null ? undefined : this.#decodeRecord(value, hash, organizationId);
  }

  async list(userKey: string): Promise<QontoConnectionRecord[]> {
    const hash = this.#userKey(userKey);
    const { run, client } = internalsOf(this.tokens);
    const values = await run(`listing the connections of user ${JSON.stringify(userKey)}`, undefined, () =>
      client.hgetall(hash),
    );
    return Object.entries(values).map(([organizationId, value]) =>
      this.#decodeRecord(value, hash, organizationId),
    );
  }

  async listByOrganization(organizationId: string): Promise<QontoConnectionRecord[]> {
    const users = this.#organizationKey(organizationId);
    const { run, client } = internalsOf(this.tokens);
    const userKeys = await run(
      `listing the connections to organization ${JSON.stringify(organizationId)}`,
      undefined,
      () => client.smembers(users),
    );
    const records: QontoConnectionRecord[] = [];
    for (const userKey of userKeys) {
      const record = await this.get(userKey, organizationId);
      if (record !== undefined) records.push(record);
      // A delete interrupted between its two writes left the user in the index: tidy it.
      else await this.#unindex(userKey, organizationId, 'tidying the organization index');
    }
    return records;
  }

  async put(record: QontoConnectionRecord): Promise<void> {
    const { userKey, organizationId } = record;
    const hash = this.#userKey(userKey);
    const { run, client, codec } = internalsOf(this.tokens);
    const value = codec.seal(JSON.stringify(record), `${hash}#${checkId(organizationId)}`);
    const doing = `saving connection ${describe(userKey, organizationId)}`;
    await run(doing, undefined, () => client.hset(hash, organizationId, value));
    await run(doing, undefined, () => client.sadd(this.#organizationKey(organizationId), userKey));
  }

  async delete(userKey: string, organizationId: string): Promise<void> {
    const { run, client } = internalsOf(this.tokens);
    const doing = `deleting connection ${describe(userKey, organizationId)}`;
    await run(doing, undefined, () => client.hdel(this.#userKey(userKey), checkId(organizationId)));
    await this.#unindex(userKey, organizationId, doing);
  }

  /**
   * Takes the user out of the organization's index, then puts them back if their record exists again: a `put` of
   * another process may land between a delete's two writes (the record and the index live under different keys,
   * maybe different cluster slots), and its record must not be left out of `listByOrganization`.
   */
  async #unindex(userKey: string, organizationId: string, doing: string): Promise<void> {
    const { run, client } = internalsOf(this.tokens);
    const users = this.#organizationKey(organizationId);
    await run(doing, undefined, () => client.srem(users, userKey));
    const back = await run(doing, undefined, () => client.hget(this.#userKey(userKey), organizationId));
    if (back !== null) await run(doing, undefined, () => client.sadd(users, userKey));
  }

  async putPending(state: string, pending: QontoPendingConnection, ttlMs: number): Promise<void> {
    const key = this.#pendingKey(state);
    const { run, client, codec } = internalsOf(this.tokens);
    const value = codec.seal(JSON.stringify(pending), key);
    await run('saving a started connection', undefined, () =>
      client.set(key, value, 'PX', Math.max(1, Math.ceil(ttlMs))),
    );
  }

  async takePending(state: string): Promise<QontoPendingConnection | undefined> {
    const key = this.#pendingKey(state);
    const { run, client, codec, redis } = internalsOf(this.tokens);
    const value = await run('taking a started connection (GETDEL needs Redis 6.2 or later)', undefined, () =>
      client.getdel(key),
    );
    if (value === null) return undefined;
    const opened = codec.open(value, key);
    const pending = typeof opened === 'string' ? undefined : (opened.json as QontoPendingConnection | null);
    if (typeof pending?.userKey === 'string' && typeof pending.redirectUri === 'string') return pending;
    throw new QontoTokenStoreError(
      `The started connection stored in ${redis} cannot be used: ${typeof opened === 'string' ? opened : 'it is not one'}.`,
    );
  }

  /** Ends the Redis client the store opened from `url`; a client you passed stays open. */
  close(): Promise<void> {
    return this.tokens.close();
  }

  #userKey(userKey: string): string {
    return `${internalsOf(this.tokens).prefix}user:{${encodeURIComponent(checkId(userKey))}}:connections`;
  }

  #organizationKey(organizationId: string): string {
    return `${internalsOf(this.tokens).prefix}organization:{${encodeURIComponent(checkId(organizationId))}}:users`;
  }

  #pendingKey(state: string): string {
    return `${internalsOf(this.tokens).prefix}pending:{${encodeURIComponent(checkId(state))}}`;
  }

  #decodeRecord(value: string, hash: string, organizationId: string): QontoConnectionRecord {
    const { codec, redis } = internalsOf(this.tokens);
    const opened = codec.open(value, `${hash}#${organizationId}`);
    const record = typeof opened === 'string' ? undefined : (opened.json as QontoConnectionRecord | null);
    if (typeof record?.userKey === 'string' && record.organizationId === organizationId) return record;
    throw new QontoTokenStoreError(
      `The connection to organization ${JSON.stringify(organizationId)} stored in ${redis} cannot be used: ` +
        `${typeof opened === 'string' ? opened : 'it is not a connection record: was the key written by something else?'}.`,
    );
  }
}

function checkId(id: unknown): string {
  if (typeof id !== 'string' || id === '') {
    throw new QontoConfigError(
      'RedisConnectionStore: user keys, organization ids and states must be non-empty strings.',
    );
  }
  return id;
}

function describe(userKey: string, organizationId: string): string {
  return `of user ${JSON.stringify(userKey)} to organization ${JSON.stringify(organizationId)}`;
}
