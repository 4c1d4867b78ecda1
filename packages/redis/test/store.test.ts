import { inspect } from 'node:util';
import {
  isQontoError,
  QontoOAuthClient,
  QontoTokenManager,
  sandboxEndpointsAt,
  type TokenSet,
} from '@qonto-oauth/core';
import { RedisTokenStore } from '@qonto-oauth/redis';
import { type RedisServer, startRedisServer } from '@qonto-oauth/redis/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deferred } from './helpers/deferred.js';

let redis: RedisServer;
let raw: Redis;
const stores: RedisTokenStore[] = [];

beforeAll(async () => {
  redis = await startRedisServer();
  raw = new Redis(redis.url);
});

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  raw?.disconnect();
  await redis?.close();
});

beforeEach(async () => {
  await raw.flushall();
});

function newStore(o: Omit<ConstructorParameters<typeof RedisTokenStore>[0], 'url' | 'client'> = {}) {
  const store = new RedisTokenStore({ url: redis.url, ...o });
  stores.push(store);
  return store;
}

const TOKENS: TokenSet = {
  accessToken: 'ory_at_access-token-value',
  tokenType: 'bearer',
  refreshToken: 'ory_rt_refresh-token-value',
  idToken: 'eyJ.id-token-value.sig',
  scopes: ['offline_access', 'organization.read'],
  expiresAt: Date.parse('2026-03-01T10:00:00Z'),
};
const SECRETS = [TOKENS.accessToken, TOKENS.refreshToken!, TOKENS.idToken!];

/** A manager whose refresh would go to a closed port: any attempt would fail with a network error. */
function managerOver(store: RedisTokenStore, key: string) {
  const client = new QontoOAuthClient({
    environment: { ...sandboxEndpointsAt('http://127.0.0.1:9'), requiresStagingToken: false },
    clientId: 'app',
    clientSecret: 'app-secret',
  });
  return new QontoTokenManager({ client, tokens: { ...TOKENS, expiresAt: 0 }, store, key });
}

async function allRedis(): Promise<Record<string, string | null>> {
  const keys = await raw.keys('*');
  return Object.fromEntries(await Promise.all(keys.map(async (k) => [k, await raw.get(k)] as const)));
}

describe('RedisTokenStore as a TokenStore', () => {
  it('stores the TokenSet JSON under a key named after the connection, never a token', async () => {
    const store = newStore();
    await store.set('organization-1', TOKENS);
    expect(await store.get('organization-1')).toEqual(TOKENS);
    const contents = await allRedis();
    expect(Object.keys(contents)).toEqual(['qonto-oauth:connection:{organization-1}']);
    expect(JSON.parse(contents['qonto-oauth:connection:{organization-1}']!)).toEqual(TOKENS);
    expect(await newStore().get('organization-2')).toBeUndefined();

    await store.delete('organization-1');
    expect(await store.get('organization-1')).toBeUndefined();
    expect(await allRedis()).toEqual({});
  });

  it('encrypts stored sets with encryptionKey, bound to their key, and says what to fix when keys differ', async () => {
    const encryptionKey = 'a-32-character-key-from-openssl-rand';
    const store = newStore({ encryptionKey });
    await store.set('organization-1', TOKENS);
    const value = (await raw.get('qonto-oauth:connection:{organization-1}'))!;
    expect(value).toMatch(/^enc:v1:[A-Za-z0-9_-]+$/);
    for (const secret of SECRETS) expect(value).not.toContain(secret);
    expect(await newStore({ encryptionKey }).get('organization-1')).toEqual(TOKENS);

    await expect(newStore().get('organization-1')).rejects.toThrow(
      /is encrypted and this store has no encryptionKey/,
    );
    await expect(newStore({ encryptionKey: `${encryptionKey}-other` }).get('organization-1')).rejects.toThrow(
      /does not decrypt with this encryptionKey/,
    );
    // A value copied under another connection's key does not decrypt there.
    await raw.set('qonto-oauth:connection:{organization-2}', value);
    await expect(store.get('organization-2')).rejects.toMatchObject({
      code: 'token_store',
      key: 'organization-2',
    });

    expect(inspect(store, { depth: 5, showHidden: true })).not.toContain(encryptionKey);
    expect(() => newStore({ encryptionKey: 'short' })).toThrow(/at least 32 characters/);
  });

  it('reads sets sealed with a previous key and seals them with the new one when written (a rotation)', async () => {
    const [oldKey, newKey] = [
      'the-old-32-character-key-from-openssl',
      'the-new-32-character-key-from-openssl',
    ];
    await newStore({ encryptionKey: oldKey }).set('organization-1', TOKENS);
    const rotated = newStore({ encryptionKey: newKey, previousEncryptionKeys: [oldKey] });
    expect(await rotated.get('organization-1')).toEqual(TOKENS);
    await rotated.set('organization-1', { ...TOKENS, accessToken: 'ory_at_after-rotation' });
    // Written again: sealed with the new key only.
    expect((await newStore({ encryptionKey: newKey }).get('organization-1'))?.accessToken).toBe(
      'ory_at_after-rotation',
    );
    await expect(newStore({ encryptionKey: oldKey }).get('organization-1')).rejects.toThrow(
      /does not decrypt with this encryptionKey \(nor any of previousEncryptionKeys\)/,
    );
    expect(inspect(rotated, { depth: 5, showHidden: true })).not.toContain(oldKey);
    expect(() => newStore({ encryptionKey: newKey, previousEncryptionKeys: ['short'] })).toThrow(
      /previousEncryptionKeys\[0\] must be a string of at least 32 characters/,
    );
  });

  it('reads plain sets with an encryptionKey only under readUnencrypted, and seals them when written', async () => {
    const encryptionKey = 'a-32-character-key-from-openssl-rand';
    await newStore().set('organization-1', TOKENS);
    await expect(newStore({ encryptionKey }).get('organization-1')).rejects.toThrow(
      /stored unencrypted while this store has an encryptionKey.*set readUnencrypted: true/,
    );
    const adding = newStore({ encryptionKey, readUnencrypted: true });
    expect(await adding.get('organization-1')).toEqual(TOKENS);
    await adding.set('organization-1', TOKENS);
    expect(await raw.get('qonto-oauth:connection:{organization-1}')).toMatch(/^enc:v1:/);
    expect(await newStore({ encryptionKey }).get('organization-1')).toEqual(TOKENS);
  });

  it('refuses a set it did not write rather than handing it out', async () => {
    await raw.set('qonto-oauth:connection:{organization-1}', '{"access_token":"x"}');
    await expect(newStore().get('organization-1')).rejects.toThrow(/not a TokenSet/);
  });
});

describe('RedisTokenStore failures', () => {
  it('throws reconnectRequired when a connection this process saw is gone from Redis, never older tokens', async () => {
    const store = newStore();
    await store.set('organization-1', TOKENS);
    const manager = managerOver(store, 'organization-1');
    await raw.flushall();
    const error = await manager.getAccessToken().catch((e: unknown) => e);
    expect(isQontoError(error)).toBe(true);
    expect(error).toMatchObject({
      name: 'QontoTokenStoreError',
      code: 'token_store',
      key: 'organization-1',
      reconnectRequired: true,
    });
    expect((error as Error).message).toMatch(
      /gone from Redis at 127\.0\.0\.1:\d+.*connect with Qonto again/s,
    );
    // A process that never saw it has nothing to go on and says so the usual way: no stored set.
    expect(await newStore().get('organization-1')).toBeUndefined();
  });

  it('fails a refresh in flight when another process deletes the tokens, and does not save them back', async () => {
    const [a, b] = [newStore(), newStore()];
    await a.set('organization-1', { ...TOKENS, expiresAt: 0 });
    const [answered, held] = [deferred(), deferred()];
    const manager = new QontoTokenManager({
      client: {
        async refresh() {
          answered.resolve();
          await held.promise;
          return { ...TOKENS, accessToken: 'ory_at_rotated-access', refreshToken: 'ory_rt_rotated-refresh' };
        },
      },
      store: a,
      key: 'organization-1',
    });
    const call = manager.getAccessToken().catch((e: unknown) => e);
    await answered.promise;
    await b.delete('organization-1'); // the user disconnected, handled by another process
    held.resolve();
    expect(await call).toMatchObject({ name: 'QontoTokenStoreError', reconnectRequired: true });
    expect(await newStore().get('organization-1')).toBeUndefined();
  });

  it('names Redis and the connection key when Redis is unreachable, never a token or the password', async () => {
    const down = await startRedisServer();
    const url = `redis://:redis-password-value@127.0.0.1:${down.port}/2`;
    await down.close();
    const store = new RedisTokenStore({ url });
    stores.push(store);
    for (const attempt of [
      store.set('organization-1', TOKENS),
      managerOver(store, 'organization-1').getAccessToken(),
    ]) {
      const error = await attempt.catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'token_store', key: 'organization-1', reconnectRequired: false });
      const text = `${(error as Error).message} ${JSON.stringify(error)} ${inspect(error)}`;
      expect(text).toContain(`Redis at 127.0.0.1:${down.port} (db 2)`);
      expect(text).toContain('connection "organization-1"');
      expect(text).toContain('untouched');
      for (const secret of [...SECRETS, 'redis-password-value']) expect(text).not.toContain(secret);
    }
  });

  it('explains each bad option', () => {
    expect(() => new RedisTokenStore({})).toThrow(/either `url`.*or `client`/);
    expect(() => new RedisTokenStore({ url: redis.url, client: raw })).toThrow(/not both/);
    expect(() => new RedisTokenStore({ url: 'http://127.0.0.1:6379' })).toThrow(/redis:\/\/ or rediss:\/\//);
    expect(() => new RedisTokenStore({ client: {} as Redis })).toThrow(/ioredis `Redis` or `Cluster`/);
    expect(() => new RedisTokenStore({ client: raw, keyPrefix: 'app{1}:' })).toThrow(/without `\{` or `\}`/);
    expect(() => new RedisTokenStore({ client: raw, lockLeaseMs: 60_000 })).toThrow(/1000 to 20000/);
  });
});

describe('RedisTokenStore refresh lock', () => {
  it('renews the lease while a refresh runs, so a refresh longer than the lease still excludes the others', async () => {
    const [a, b] = [newStore({ lockLeaseMs: 1000 }), newStore({ lockLeaseMs: 1000 })];
    const events: string[] = [];
    const target = { connection: 'organization-1' };
    const slow = a.withRefreshLock(target, async () => {
      events.push('a starts');
      await new Promise((resolve) => setTimeout(resolve, 2500));
      events.push('a ends');
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await b.withRefreshLock(target, async () => {
      events.push('b runs');
    });
    await slow;
    expect(events).toEqual(['a starts', 'a ends', 'b runs']);
    expect(await allRedis()).toEqual({});
  });

  it("releases only its own lock: a holder whose lease lapsed leaves the next holder's lock alone", async () => {
    const store = newStore();
    await store.withRefreshLock({ connection: 'organization-1' }, async () => {
      // As if the lease had lapsed and another process had taken the lock.
      await raw.set('qonto-oauth:connection:{organization-1}:lock', 'another-holder');
    });
    expect(await raw.get('qonto-oauth:connection:{organization-1}:lock')).toBe('another-holder');
  });

  it('passes the task’s failure to its caller and frees the lock for the next', async () => {
    const store = newStore();
    const target = { connection: 'organization-1' };
    await expect(
      store.withRefreshLock(target, async () => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    expect(await store.withRefreshLock(target, async () => 'next')).toBe('next');
  });

  it("frees the lock it took when reading the last holder's failure fails, rather than hold it for its lease", async () => {
    const target = { connection: 'organization-1' };
    // A process whose Redis reads of the shared failure time out (the rest works).
    const flaky = new Redis(redis.url);
    const get = flaky.get.bind(flaky);
    flaky.get = ((key: string) =>
      key.endsWith(':failure')
        ? Promise.reject(new Error('Command timed out'))
        : get(key)) as typeof flaky.get;
    const [first, waiter] = [newStore(), new RedisTokenStore({ client: flaky })];
    try {
      const held = deferred();
      const holding = first.withRefreshLock(target, () => held.promise);
      await new Promise((resolve) => setTimeout(resolve, 50));
      const waiting = waiter.withRefreshLock(target, async () => 'ran').catch((e: unknown) => e);
      await new Promise((resolve) => setTimeout(resolve, 50)); // the waiter found the lock taken
      held.resolve();
      await holding;
      expect(await waiting).toBeInstanceOf(Error);
      expect(await raw.get('qonto-oauth:connection:{organization-1}:lock')).toBeNull();
    } finally {
      flaky.disconnect();
    }
  });

  it('keeps a rotation 60 s at most, under its keyed hash', async () => {
    const store = newStore();
    await store.rememberRotation('keyed-hash', TOKENS, 60_000);
    expect(await store.recallRotation('keyed-hash')).toEqual(TOKENS);
    const ttl = await raw.pttl('qonto-oauth:rotation:{keyed-hash}');
    expect(ttl).toBeGreaterThan(55_000);
    expect(ttl).toBeLessThanOrEqual(60_000);
    expect(await store.recallRotation('another-hash')).toBeUndefined();
  });
});

describe('RedisTokenStore.close', () => {
  it('ends the client it opened and leaves a client it was given open', async () => {
    const given = new Redis(redis.url);
    const borrowed = new RedisTokenStore({ client: given });
    await borrowed.set('organization-1', TOKENS);
    await borrowed.close();
    expect(await given.ping()).toBe('PONG');
    given.disconnect();

    const owned = new RedisTokenStore({ url: redis.url });
    await owned.set('organization-1', TOKENS);
    await owned.close();
    await expect(owned.get('organization-1')).rejects.toMatchObject({ code: 'token_store' });
  });
});
