import { inspect } from 'node:util';
import { connectionTokenKey, QontoConnections, QontoTokenStoreError } from '@qonto-oauth/core';
import { RedisConnectionStore } from '@qonto-oauth/redis';
import { type RedisServer, startRedisServer } from '@qonto-oauth/redis/testing';
import type { SandboxUser } from '@qonto-oauth/sandbox';
import { completeAuthorization } from '@qonto-oauth/sandbox/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deferred } from './helpers/deferred.js';
import { type QontoFixture, startQonto } from './helpers/qonto.js';
import { startWorkers, type Worker } from './helpers/workers.js';

const ENCRYPTION_KEY = 'a-32-character-key-from-openssl-rand';

let qonto: QontoFixture;
let redis: RedisServer;
let raw: Redis;
const stores: RedisConnectionStore[] = [];
let workers: Worker[] = [];

beforeAll(async () => {
  [qonto, redis] = await Promise.all([startQonto(), startRedisServer()]);
  raw = new Redis(redis.url);
});

afterAll(async () => {
  await Promise.all([...workers.map((w) => w.kill()), ...stores.map((s) => s.close())]);
  raw?.disconnect();
  await Promise.all([qonto?.close(), redis?.close()]);
});

beforeEach(async () => {
  await raw.flushall();
});

function newStore(o: Omit<ConstructorParameters<typeof RedisConnectionStore>[0], 'url' | 'client'> = {}) {
  const store = new RedisConnectionStore({ url: redis.url, ...o });
  stores.push(store);
  return store;
}

function connectionsOver(store: RedisConnectionStore) {
  return new QontoConnections({ client: qonto.oauth, store, stagingToken: qonto.sandbox.stagingToken });
}

/** The user with several organizations, so one app user can connect two. */
function multiOrganizationUser(): SandboxUser {
  const user = qonto.sandbox.users.find((u) => u.organizations.length > 1);
  if (user === undefined) throw new Error('the seed has no user with two organizations');
  return user;
}

/** The whole flow through the emulator's pages: start, log in and consent, complete. */
async function connect(
  connections: QontoConnections,
  userKey: string,
  user: SandboxUser,
  organizationId: string,
) {
  const { url } = await connections.start(userKey, { organizationId });
  return connections.complete(userKey, await completeAuthorization(url, { ...user, organizationId }));
}

async function allRedis(): Promise<string> {
  const keys = await raw.keys('*');
  const values = await Promise.all(
    keys.map(
      async (k) => [k, (await raw.type(k)) === 'string' ? await raw.get(k) : await raw.dump(k)] as const,
    ),
  );
  return JSON.stringify(values);
}

describe('RedisConnectionStore', () => {
  it("keeps a user's connections, each organization's users and the tokens in Redis, under documented keys", async () => {
    const store = newStore();
    const connections = connectionsOver(store);
    const user = multiOrganizationUser();
    const [first, second] = user.organizations;
    await connect(connections, 'app-user-1', user, first!.id);
    await connect(connections, 'app-user-1', user, second!.id);
    // Reconnecting the first organization replaces its tokens; the connection stays one.
    const before = await store.tokens.get(connectionTokenKey('app-user-1', first!.id));
    await connect(connections, 'app-user-1', user, first!.id);
    expect((await store.tokens.get(connectionTokenKey('app-user-1', first!.id)))?.refreshToken).not.toBe(
      before?.refreshToken,
    );

    const listed = await connectionsOver(newStore()).list('app-user-1');
    expect(listed.map((c) => c.organizationId).sort()).toEqual([first!.id, second!.id].sort());
    expect(listed.every((c) => c.health === 'active' && c.membership.email === user.email)).toBe(true);
    expect((await store.listByOrganization(first!.id)).map((r) => r.userKey)).toEqual(['app-user-1']);
    expect((await raw.keys('*')).sort()).toEqual(
      [
        'qonto-oauth:user:{app-user-1}:connections',
        `qonto-oauth:organization:{${first!.id}}:users`,
        `qonto-oauth:organization:{${second!.id}}:users`,
        `qonto-oauth:connection:{${connectionTokenKey('app-user-1', first!.id)}}`,
        `qonto-oauth:connection:{${connectionTokenKey('app-user-1', second!.id)}}`,
      ].sort(),
    );

    expect(await connections.disconnect('app-user-1', first!.id)).toEqual({ revoked: true });
    expect((await connections.list('app-user-1')).map((c) => c.organizationId)).toEqual([second!.id]);
    expect(await store.listByOrganization(first!.id)).toEqual([]);
  });

  it("keeps a connection put by another process between a delete's two writes in its organization's index", async () => {
    const record = {
      userKey: 'app-user-1',
      organizationId: 'org-1',
      organization: { id: 'org-1', legalName: 'Acme' },
      membership: { id: 'membership-1' },
      status: 'active' as const,
      connectedAt: 1,
      updatedAt: 1,
    };
    const other = newStore();
    // This process's client: its next SREM waits until the other process has put the connection back.
    const client = new Redis(redis.url);
    let interleave: (() => Promise<void>) | undefined;
    const paused = new Proxy(client, {
      get(target, name, receiver) {
        const value = Reflect.get(target, name, receiver);
        if (name !== 'srem' || typeof value !== 'function') return value;
        return async (...args: unknown[]) => {
          const before = interleave;
          interleave = undefined;
          await before?.();
          return value.apply(target, args);
        };
      },
    });
    const deleting = new RedisConnectionStore({ client: paused });
    try {
      // A delete, then a reconnection between its two writes (record, then index) and its tidying in a listing.
      await other.put(record);
      interleave = () => other.put({ ...record, updatedAt: 2 });
      await deleting.delete('app-user-1', 'org-1');
      expect((await other.get('app-user-1', 'org-1'))?.updatedAt).toBe(2);
      expect((await other.listByOrganization('org-1')).map((r) => r.userKey)).toEqual(['app-user-1']);

      await raw.sadd('qonto-oauth:organization:{org-1}:users', 'app-user-2');
      interleave = () => other.put({ ...record, userKey: 'app-user-2' });
      expect((await deleting.listByOrganization('org-1')).map((r) => r.userKey)).toEqual(['app-user-1']);
      expect((await other.listByOrganization('org-1')).map((r) => r.userKey).sort()).toEqual([
        'app-user-1',
        'app-user-2',
      ]);
    } finally {
      await deleting.close();
      client.disconnect();
    }
  });

  it('hands a started connection out once, whoever asks at the same time, and lets it expire', async () => {
    const store = newStore();
    const pending = {
      userKey: 'u',
      redirectUri: 'http://127.0.0.1/cb',
      codeVerifier: 'verifier',
      createdAt: 1,
    };
    await store.putPending('state-1', pending, 600_000);
    const ttl = await raw.pttl('qonto-oauth:pending:{state-1}');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(600_000);
    const other = newStore();
    const taken = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? store : other).takePending('state-1')),
    );
    expect(taken.filter((t) => t !== undefined)).toEqual([pending]);
    expect(await raw.keys('*')).toEqual([]);
  });

  it('encrypts records and started connections with encryptionKey, and says what to fix when keys differ', async () => {
    const store = newStore({ encryptionKey: ENCRYPTION_KEY });
    const connections = connectionsOver(store);
    const user = multiOrganizationUser();
    const connection = await connect(connections, 'app-user-1', user, user.organizations[0]!.id);
    const { state } = await connections.start('app-user-1');
    const tokens = await store.tokens.get(connectionTokenKey('app-user-1', connection.organizationId));
    const contents = await allRedis();
    for (const hidden of [user.email, connection.membership.id, tokens!.accessToken, tokens!.refreshToken!]) {
      expect(contents).not.toContain(hidden);
    }
    expect(await newStore({ encryptionKey: ENCRYPTION_KEY }).list('app-user-1')).toHaveLength(1);

    const plain = newStore();
    const error = await plain.list('app-user-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QontoTokenStoreError);
    expect(String(error)).toMatch(/encrypted and this store has no encryptionKey/);
    await expect(plain.takePending(state)).rejects.toThrow(/no encryptionKey/);
  });

  it('keeps connections usable across a key rotation: records and tokens read, then sealed with the new key', async () => {
    const user = multiOrganizationUser();
    const organizationId = user.organizations[0]!.id;
    await connect(
      connectionsOver(newStore({ encryptionKey: ENCRYPTION_KEY })),
      'app-user-1',
      user,
      organizationId,
    );
    const newKey = 'the-next-32-character-key-from-openssl';
    const rotated = newStore({ encryptionKey: newKey, previousEncryptionKeys: [ENCRYPTION_KEY] });
    const connections = connectionsOver(rotated);
    expect((await connections.list('app-user-1')).map((c) => c.organizationId)).toEqual([organizationId]);
    expect(await rotated.listByOrganization(organizationId)).toHaveLength(1);
    expect((await connections.api('app-user-1', organizationId).getOrganization()).id).toBe(organizationId);
    // A reconnection writes the record and tokens again, sealed with the new key alone.
    await connect(connections, 'app-user-1', user, organizationId);
    const onlyNew = newStore({ encryptionKey: newKey });
    expect(await onlyNew.list('app-user-1')).toHaveLength(1);
    expect(await onlyNew.tokens.get(connectionTokenKey('app-user-1', organizationId))).toBeDefined();
  });

  it('shares one refresh among processes syncing the same expired connection', async () => {
    const store = newStore();
    const connections = connectionsOver(store);
    const user = multiOrganizationUser();
    const organizationId = user.organizations[0]!.id;
    await connect(connections, 'app-user-1', user, organizationId);
    const key = connectionTokenKey('app-user-1', organizationId);
    const tokens = await store.tokens.get(key);
    await store.tokens.set(key, { ...tokens!, expiresAt: Date.now() - 1000 });
    qonto.clearRequests();

    workers = await startWorkers(3, qonto.workerConfig({ redisUrl: redis.url }));
    const results = (
      await Promise.all(
        workers.map((w) =>
          w.run({
            mode: 'connections',
            callsPerTarget: 20,
            targets: [{ userKey: 'app-user-1', organizationId }],
          }),
        ),
      )
    ).flat();
    expect(results.map((r) => r.accessToken ?? r.error?.message)).toEqual(Array(60).fill(organizationId));
    expect(qonto.refreshRequests()).toBe(1);
    const rotated = await store.tokens.get(key);
    expect(rotated?.refreshToken).not.toBe(tokens?.refreshToken);
    expect((await connections.get('app-user-1', organizationId))?.reconnectBy).toBe(
      rotated?.refreshTokenExpiresAt,
    );
  });

  it("keeps a reconnection's tokens saved by one process while another saves the old chain's rotation", async () => {
    const user = multiOrganizationUser();
    const organizationId = user.organizations[0]!.id;
    const key = connectionTokenKey('app-user-1', organizationId);
    const [a, b] = [newStore(), newStore()];
    await connect(connectionsOver(a), 'app-user-1', user, organizationId);
    const tokens = await a.tokens.get(key);
    await a.tokens.set(key, { ...tokens!, expiresAt: Date.now() - 1000 });

    // Process A refreshed at Qonto and is about to save the rotation when process B starts saving a reconnection.
    const [aSaving, aHeld, bSaving] = [deferred(), deferred(), deferred()];
    const aSet = a.tokens.set.bind(a.tokens);
    a.tokens.set = async (k, value) => {
      aSaving.resolve();
      await aHeld.promise;
      return aSet(k, value);
    };
    const bSet = b.tokens.set.bind(b.tokens);
    const bLock = b.tokens.withRefreshLock.bind(b.tokens);
    const bSaved: string[] = [];
    b.tokens.set = async (k, value) => {
      bSaving.resolve();
      bSaved.push(value.refreshToken!);
      return bSet(k, value);
    };
    b.tokens.withRefreshLock = (target, task) => {
      bSaving.resolve();
      return bLock(target, task);
    };

    const call = connectionsOver(a).api('app-user-1', organizationId).getMembership();
    await aSaving.promise;
    const reconnect = connect(connectionsOver(b), 'app-user-1', user, organizationId);
    await bSaving.promise;
    aHeld.resolve();
    await Promise.all([call, reconnect]);
    expect(bSaved).toHaveLength(1);
    expect((await a.tokens.get(key))?.refreshToken).toBe(bSaved[0]);
  });

  it("saves a reconnection that waited for the lock behind another process's failing refresh", async () => {
    const user = multiOrganizationUser();
    const organizationId = user.organizations[0]!.id;
    const key = connectionTokenKey('app-user-1', organizationId);
    const [a, b] = [newStore(), newStore()];
    await connect(connectionsOver(a), 'app-user-1', user, organizationId);
    const old = await a.tokens.get(key);
    await a.tokens.set(key, { ...old!, expiresAt: Date.now() - 1000 });

    // Process A holds the refresh lock while its refresh is on its way to Qonto, which will refuse it.
    const [aRefreshing, aHeld, bWaiting] = [deferred(), deferred(), deferred()];
    const refresh = qonto.oauth.refresh;
    qonto.oauth.refresh = async function (this: typeof qonto.oauth, refreshToken: string) {
      aRefreshing.resolve();
      await aHeld.promise;
      return refresh.call(this, refreshToken);
    };
    const bLock = b.tokens.withRefreshLock.bind(b.tokens);
    b.tokens.withRefreshLock = (target, task) => {
      bWaiting.resolve();
      return bLock(target, task);
    };
    try {
      const call = connectionsOver(a)
        .api('app-user-1', organizationId)
        .getMembership()
        .catch((e: unknown) => e);
      await aRefreshing.promise;
      // Process B completes a reconnection: its tokens wait for the lock A holds.
      const reconnect = connect(connectionsOver(b), 'app-user-1', user, organizationId);
      await bWaiting.promise;
      await new Promise((resolve) => setTimeout(resolve, 200)); // B has found the lock taken
      qonto.sandbox.faults.failNext('POST /oauth2/token', 400);
      aHeld.resolve();
      expect(await call).toMatchObject({ name: 'QontoOAuthError', error: 'invalid_request' });
      // A's failure is not B's: B's tokens are saved, and the connection is theirs.
      expect((await reconnect).status).toBe('active');
      const saved = await b.tokens.get(key);
      expect(saved?.refreshToken).not.toBe(old?.refreshToken);
      expect(await qonto.works(saved!.accessToken)).toBe(true);
    } finally {
      qonto.oauth.refresh = refresh;
      qonto.sandbox.faults.reset();
    }
  });

  it('keeps secrets out of inspect() and its errors', async () => {
    const store = newStore({ encryptionKey: ENCRYPTION_KEY });
    await store.putPending(
      'state-2',
      { userKey: 'u', redirectUri: 'http://x/cb', codeVerifier: 'the-verifier-value', createdAt: 1 },
      60_000,
    );
    const shown = inspect(store, { depth: 10, showHidden: true });
    expect(shown).not.toContain(ENCRYPTION_KEY);
    expect(shown).not.toContain('the-verifier-value');
    expect(() => newStore({ keyPrefix: 'bad{' })).toThrow(/keyPrefix/);
  });
});
