import {
  QontoConfigError,
  QontoTokenStoreError,
  type RefreshCoordination,
  type RefreshLockTarget,
  type TokenSet,
  type TokenStore,
} from '@qonto-oauth/core';
import { type Cluster, Redis } from 'ioredis';
import { describeRedis, redisFailure } from './redis-errors.js';
import { connectionKeys, rotationKeys } from './redis-keys.js';
import { withLock } from './refresh-lock.js';
import { TokenCodec } from './token-codec.js';

/**
 * An ioredis client, `Redis` or `Cluster`, typed by what the stores call on it: one of ioredis 6 (the version the
 * stores open themselves) or of ioredis 5 (what many apps still run) is taken as it is, without a cast.
 */
export interface RedisClient {
  readonly isCluster: boolean;
  eval(...args: never[]): Promise<unknown>;
  get(...args: never[]): Promise<unknown>;
  set(...args: never[]): Promise<unknown>;
  del(...args: never[]): Promise<unknown>;
  getdel(...args: never[]): Promise<unknown>;
  hget(...args: never[]): Promise<unknown>;
  hgetall(...args: never[]): Promise<unknown>;
  hset(...args: never[]): Promise<unknown>;
  hdel(...args: never[]): Promise<unknown>;
  sadd(...args: never[]): Promise<unknown>;
  smembers(...args: never[]): Promise<unknown>;
  srem(...args: never[]): Promise<unknown>;
  quit(...args: never[]): Promise<unknown>;
  disconnect(...args: never[]): void;
}

/** Options of {@link RedisTokenStore}: `url` or `client`, not both. */
export interface RedisTokenStoreOptions {
  /**
   * `redis://[[user]:password@]host[:port][/db]` (or `rediss://` for TLS): the store opens its own client and
   * {@link RedisTokenStore.close} ends it.
   */
  url?: string | undefined;
  /**
   * Your ioredis client, a `Redis` or a `Cluster`; it stays yours (`close()` leaves it open). Give it
   * `maxRetriesPerRequest: 1` and a `commandTimeout` so an unreachable Redis fails calls instead of queueing them.
   */
  client?: RedisClient | undefined;
  /** Prefix of every key the store writes (default `'qonto-oauth:'`); no `{` or `}`. */
  keyPrefix?: string | undefined;
  /**
   * Encrypts stored sets (AES-256-GCM) with a key derived from this secret of at least 32 characters
   * (`openssl rand -base64 32`). Every process sharing the Redis needs the same one.
   */
  encryptionKey?: string | undefined;
  /**
   * Keys used before `encryptionKey` (a rotation): values sealed with them are still read, and sealed with
   * `encryptionKey` when next written. Remove a key once nothing is sealed with it any more.
   */
  previousEncryptionKeys?: readonly string[] | undefined;
  /**
   * With `encryptionKey`, also read values stored unencrypted (adding encryption to a store of plain values); they
   * are sealed when next written. Off by default: a plain value where sealed ones are expected is refused.
   */
  readUnencrypted?: boolean | undefined;
  /**
   * How long a refresh lock lasts without renewal, in ms (default 10,000; 1,000 to 20,000). The holder renews it
   * every third of it; a holder that dies is taken over once it lapses, and that lease plus the 30 s request
   * timeout keeps the takeover inside Qonto's 60 s grace.
   */
  lockLeaseMs?: number | undefined;
}

const DEFAULT_PREFIX = 'qonto-oauth:';
const DEFAULT_LEASE_MS = 10_000;
const MIN_LEASE_MS = 1_000;
const MAX_LEASE_MS = 20_000;
/** Owned clients fail a command after this instead of waiting for a Redis that does not answer. */
const COMMAND_TIMEOUT_MS = 5_000;

/**
 * A `TokenStore` on Redis or Redis Cluster, shared by every process of an app, that also implements core's
 * `RefreshCoordination`: pass it as `store` to `QontoTokenManager` (or Nest's `QontoService.api`, or as
 * `coordination` to next-auth's `refreshQontoToken`) and a connection is refreshed once among all processes.
 *
 * - One refresh per connection: a lock with a lease, renewed while the refresh is in flight and released only by
 *   its holder; the others wait and get the rotated set as soon as it is saved.
 * - The rotated set is saved (as the `TokenSet` JSON, encrypted with `encryptionKey` if given) before any caller
 *   gets it, and rotations of refresh tokens with no connection key are remembered for Qonto's 60 s grace.
 * - Failures are typed (`QontoTokenStoreError`): Redis unreachable (naming Redis and the connection key, never a
 *   token; stored tokens untouched), or the tokens of a connection this process has seen gone from Redis
 *   (`reconnectRequired: true`), never a silent fallback to older tokens.
 *
 * Keys: `<prefix>connection:{<key>}` and its `:lock`; `<prefix>rotation:{<hash>}` for 60 s. A connection's keys
 * share one Cluster hash slot. No token is ever part of a key.
 *
 * @example
 * const store = new RedisTokenStore({ url: process.env.REDIS_URL });
 * const manager = new QontoTokenManager({ client, tokens, store, key: organizationId });
 */
export class RedisTokenStore implements TokenStore, RefreshCoordination {
  readonly #client: Redis | Cluster;
  readonly #owned: boolean;
  readonly #redis: string;
  readonly #prefix: string;
  readonly #codec: TokenCodec;
  readonly #leaseMs: number;
  /** Connection keys this store has seen in Redis: one missing later was flushed or evicted, not never there. */
  readonly #seen = new Set<string>();
  /** The owned client's last connection error, for messages. */
  #connectionError: Error | undefined;

  constructor(options: RedisTokenStoreOptions) {
    const o = options ?? {};
    if ((o.url === undefined) === (o.client === undefined)) {
      throw new QontoConfigError(
        'RedisTokenStore needs either `url` (e.g. redis://127.0.0.1:6379; the store opens and closes its client) ' +
          'or `client` (your ioredis Redis or Cluster), not both.',
      );
    }
    const prefix = o.keyPrefix ?? DEFAULT_PREFIX;
    if (typeof prefix !== 'string' || /[{}]/.test(prefix)) {
      throw new QontoConfigError(
        'RedisTokenStore: keyPrefix must be a string without `{` or `}` (the store adds the Cluster hash tag).',
      );
    }
    const leaseMs = o.lockLeaseMs ?? DEFAULT_LEASE_MS;
    if (!Number.isInteger(leaseMs) || leaseMs < MIN_LEASE_MS || leaseMs > MAX_LEASE_MS) {
      throw new QontoConfigError(
        `RedisTokenStore: lockLeaseMs must be a whole number of milliseconds from ${MIN_LEASE_MS} to ` +
          `${MAX_LEASE_MS} (default ${DEFAULT_LEASE_MS}): with the 30 s request timeout, a longer lease could let ` +
          "a dead holder's refresh token leave Qonto's 60 s grace before another process takes over.",
      );
    }
    this.#codec = new TokenCodec(o);
    this.#prefix = prefix;
    this.#leaseMs = leaseMs;
    if (o.client !== undefined) {
      if (typeof o.client?.eval !== 'function' || typeof o.client.set !== 'function') {
        throw new QontoConfigError(
          'RedisTokenStore: `client` must be an ioredis `Redis` or `Cluster` (from the ioredis package).',
        );
      }
      // Its methods are ioredis's, of the same commands in 5 and 6: used through ioredis 6's types.
      this.#client = o.client as unknown as Redis | Cluster;
      this.#owned = false;
    } else {
      this.#client = ownClient(o.url);
      this.#owned = true;
      // Failures reach callers as typed errors; without a listener ioredis prints each reconnection failure.
      this.#client.on('error', (error: Error) => {
        this.#connectionError = error;
      });
      this.#client.on('ready', () => {
        this.#connectionError = undefined;
      });
    }
    this.#redis = describeRedis(this.#client);
    internals.set(this, {
      client: this.#client,
      prefix,
      codec: this.#codec,
      redis: this.#redis,
      run: (doing, key, command) => this.#run(doing, key, command),
    });
  }

  /** The stored set of connection `key`; throws `reconnectRequired` when a set this store saw is gone. */
  async get(key: string): Promise<TokenSet | undefined> {
    const { tokens } = connectionKeys(this.#prefix, checkKey(key));
    const value = await this.#run(`reading the tokens of connection ${JSON.stringify(key)}`, key, () =>
      this.#client.get(tokens),
    );
    if (value === null) {
      if (!this.#seen.has(key)) return undefined;
      throw new QontoTokenStoreError(
        `The tokens of connection ${JSON.stringify(key)} are gone from ${this.#redis}: deleted (a disconnect or ` +
          'logout in another process), flushed or evicted after this process saw it, so the user must connect ' +
          'with Qonto again. If nothing deleted them, keep tokens by running Redis with persistence (appendonly ' +
          'yes) and a maxmemory-policy that does not evict them (noeviction, or a volatile-* policy: token sets ' +
          'never expire).',
        { key, reconnectRequired: true },
      );
    }
    this.#seen.add(key);
    return this.#decode(value, tokens, `connection ${JSON.stringify(key)}`, key);
  }

  /** Saves `tokens` for connection `key`, with no expiry (a refresh token lives 90 days from its last use). */
  async set(key: string, tokens: TokenSet): Promise<void> {
    const redisKey = connectionKeys(this.#prefix, checkKey(key)).tokens;
    const value = this.#codec.encode(tokens, redisKey);
    await this.#run(`saving the tokens of connection ${JSON.stringify(key)}`, key, () =>
      this.#client.set(redisKey, value),
    );
    this.#seen.add(key);
  }

  /** Forgets connection `key` (after a disconnect). */
  async delete(key: string): Promise<void> {
    const { tokens } = connectionKeys(this.#prefix, checkKey(key));
    await this.#run(`deleting the tokens of connection ${JSON.stringify(key)}`, key, () =>
      this.#client.del(tokens),
    );
    this.#seen.delete(key);
  }

  /** Core's `RefreshCoordination`: runs `task` holding the refresh lock of `target` among all processes. */
  withRefreshLock<T>(target: RefreshLockTarget, task: () => Promise<T>): Promise<T> {
    const connection = 'connection' in target ? checkKey(target.connection) : undefined;
    const keys =
      'rotation' in target
        ? rotationKeys(this.#prefix, target.rotation)
        : connectionKeys(this.#prefix, checkKey(target.connection));
    return withLock(
      {
        client: this.#client,
        lockKey: keys.lock,
        leaseMs: this.#leaseMs,
        subject:
          connection === undefined
            ? 'a refresh token (named by its keyed hash)'
            : `connection ${JSON.stringify(connection)}`,
        key: connection,
        run: (doing, command) => this.#run(doing, connection, command),
      },
      task,
    );
  }

  /** Core's `RefreshCoordination`: the rotation remembered for a refresh token's keyed hash, if any. */
  async recallRotation(rotation: string): Promise<TokenSet | undefined> {
    const { tokens } = rotationKeys(this.#prefix, rotation);
    const value = await this.#run('reading a remembered rotation', undefined, () => this.#client.get(tokens));
    return value === null ? undefined : this.#decode(value, tokens, 'a remembered rotation', undefined);
  }

  /** Core's `RefreshCoordination`: remembers a rotation for `ttlMs` (Qonto's 60 s grace). */
  async rememberRotation(rotation: string, tokens: TokenSet, ttlMs: number): Promise<void> {
    const redisKey = rotationKeys(this.#prefix, rotation).tokens;
    const value = this.#codec.encode(tokens, redisKey);
    await this.#run('remembering a rotation', undefined, () =>
      this.#client.set(redisKey, value, 'PX', ttlMs),
    );
  }

  /** Ends the client the store opened from `url`; a client you passed stays open. */
  async close(): Promise<void> {
    if (!this.#owned) return;
    try {
      await this.#client.quit();
    } catch {
      this.#client.disconnect();
    }
  }

  async #run<T>(doing: string, key: string | undefined, command: () => Promise<T>): Promise<T> {
    try {
      return await command();
    } catch (error) {
      throw redisFailure(error, { redis: this.#redis, doing, key, connectionError: this.#connectionError });
    }
  }

  #decode(value: string, redisKey: string, what: string, key: string | undefined): TokenSet {
    const decoded = this.#codec.decode(value, redisKey);
    if (typeof decoded !== 'string') return decoded;
    throw new QontoTokenStoreError(
      `The value stored in ${this.#redis} for ${what} cannot be used: ${decoded}.`,
      {
        key,
      },
    );
  }
}

/** What a `RedisConnectionStore` shares with the token store it holds: one client, one codec, one way to fail. */
export interface RedisStoreInternals {
  client: Redis | Cluster;
  prefix: string;
  codec: TokenCodec;
  /** Where Redis is, for messages (never a password). */
  redis: string;
  /** Runs a command, turning its failure into a `QontoTokenStoreError` naming Redis and what was being done. */
  run<T>(doing: string, key: string | undefined, command: () => Promise<T>): Promise<T>;
}

const internals = new WeakMap<RedisTokenStore, RedisStoreInternals>();

/** The internals of a store built by this package. */
export function internalsOf(store: RedisTokenStore): RedisStoreInternals {
  return internals.get(store)!;
}

function ownClient(url: unknown): Redis {
  if (typeof url !== 'string' || !/^rediss?:\/\//.test(url)) {
    throw new QontoConfigError(
      'RedisTokenStore: `url` must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379 or ' +
        'rediss://:password@redis.example.com:6380/0.',
    );
  }
  return new Redis(url, {
    // Fail a call while Redis is unreachable (a typed error) instead of queueing it; reconnect in the background.
    maxRetriesPerRequest: 1,
    commandTimeout: COMMAND_TIMEOUT_MS,
    lazyConnect: true,
  });
}

function checkKey(key: unknown): string {
  if (typeof key !== 'string' || key === '') {
    throw new QontoConfigError(
      'RedisTokenStore: a connection key must be a non-empty string, such as your organization or user id.',
    );
  }
  return key;
}
