import { describe, expect, it } from 'vitest';
import {
  isRefreshCoordination,
  MemoryTokenStore,
  QontoTokenManager,
  type RefreshCoordination,
  type RefreshLockTarget,
  ROTATION_GRACE_MS,
  sharedRefresh,
  type TokenSet,
} from '../src/index.js';
import { useRotatingTokenEndpoint } from './helpers/token-endpoint.js';

const T0 = Date.parse('2026-03-01T09:00:00Z');
const f = useRotatingTokenEndpoint(T0);
const { now, tokenRequests, makeClient, expiredTokens } = f;

/**
 * A coordinating store in this process's memory, standing for one that processes share (Redis): a real lock
 * (callers queue behind its holder), a rotation memory with a time to live, and `beforeNextLock`, which runs as
 * "another process" holding the lock just before the next caller gets it.
 */
class SharedMemoryStore extends MemoryTokenStore implements RefreshCoordination {
  readonly locks: string[] = [];
  readonly rotations = new Map<string, { tokens: TokenSet; ttlMs: number }>();
  beforeNextLock: (() => Promise<void>) | undefined;
  #queue: Promise<unknown> = Promise.resolve();

  withRefreshLock<T>(target: RefreshLockTarget, task: () => Promise<T>): Promise<T> {
    const run = this.#queue.then(async () => {
      const other = this.beforeNextLock;
      this.beforeNextLock = undefined;
      await other?.();
      this.locks.push(JSON.stringify(target));
      return task();
    });
    this.#queue = run.catch(() => undefined);
    return run;
  }

  async recallRotation(rotation: string): Promise<TokenSet | undefined> {
    return this.rotations.get(rotation)?.tokens;
  }

  async rememberRotation(rotation: string, tokens: TokenSet, ttlMs: number): Promise<void> {
    this.rotations.set(rotation, { tokens, ttlMs });
  }
}

function onlyRotation(store: SharedMemoryStore): [string, { tokens: TokenSet; ttlMs: number }] {
  const entries = [...store.rotations];
  expect(entries).toHaveLength(1);
  return entries[0]!;
}

const rotatedElsewhere = (): TokenSet => ({
  ...expiredTokens(),
  accessToken: 'at-from-another-process',
  refreshToken: 'rt-from-another-process',
  expiresAt: T0 + 3600_000,
});

describe('QontoTokenManager with a store that coordinates refreshes', () => {
  it('refreshes under the lock of its connection key and saves the rotated set before returning', async () => {
    const store = new SharedMemoryStore();
    const manager = new QontoTokenManager({
      client: makeClient(),
      tokens: expiredTokens(),
      store,
      key: 'org-1',
      now,
    });
    const tokens = await Promise.all(Array.from({ length: 20 }, () => manager.getAccessToken()));
    expect(new Set(tokens)).toEqual(new Set(['at-1']));
    expect(store.locks).toEqual([JSON.stringify({ connection: 'org-1' })]);
    expect(tokenRequests()).toHaveLength(1);
    expect(await store.get('org-1')).toMatchObject({ accessToken: 'at-1', refreshToken: 'rt-1' });
  });

  it('takes the lock once for managers built per request over the same store', async () => {
    const store = new SharedMemoryStore();
    const client = makeClient();
    const tokens = await Promise.all(
      Array.from({ length: 50 }, () =>
        new QontoTokenManager({ client, tokens: expiredTokens(), store, key: 'org-1', now }).getAccessToken(),
      ),
    );
    expect(new Set(tokens)).toEqual(new Set(['at-1']));
    expect(store.locks).toHaveLength(1);
  });

  it('takes the set another process saved while it waited for the lock, without refreshing', async () => {
    const store = new SharedMemoryStore();
    await store.set('org-1', expiredTokens());
    store.beforeNextLock = () => store.set('org-1', rotatedElsewhere());
    const manager = new QontoTokenManager({
      client: makeClient(),
      tokens: expiredTokens(),
      store,
      key: 'org-1',
      now,
    });
    expect(await manager.getAccessToken()).toBe('at-from-another-process');
    expect(tokenRequests()).toHaveLength(0);
  });

  it('gives every caller the failure of a refused refresh, and the next call tries again', async () => {
    const store = new SharedMemoryStore();
    const manager = new QontoTokenManager({
      client: makeClient(),
      tokens: expiredTokens(),
      store,
      key: 'org-1',
      now,
    });
    f.nextAnswer = { status: 503, body: { error: 'temporarily_unavailable' } };
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => manager.getAccessToken()));
    expect(new Set(outcomes.map((o) => o.status === 'rejected' && o.reason.error))).toEqual(
      new Set(['temporarily_unavailable']),
    );
    f.nextAnswer = undefined;
    expect(await manager.getAccessToken()).toBe('at-1');
    expect(tokenRequests()).toHaveLength(2);
  });
});

describe('sharedRefresh with coordination', () => {
  it('remembers the rotation in the store for 60 s under a keyed hash, never the refresh token itself', async () => {
    const store = new SharedMemoryStore();
    const rotated = await sharedRefresh(makeClient(), 'rt-old', {
      now,
      coordination: { store, secret: 's3cret' },
    });
    expect(rotated).toMatchObject({ accessToken: 'at-1', refreshToken: 'rt-1' });
    const [name, entry] = onlyRotation(store);
    expect(entry).toEqual({ tokens: rotated, ttlMs: ROTATION_GRACE_MS });
    expect(name).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(name).not.toContain('rt-old');
    expect(store.locks).toEqual([JSON.stringify({ rotation: name })]);

    // Another secret names the same token differently: the name is keyed, not a bare hash anyone can recompute.
    const other = new SharedMemoryStore();
    await sharedRefresh(makeClient(), 'rt-old-2', { now, coordination: { store: other, secret: 'other' } });
    await sharedRefresh(makeClient(), 'rt-old-2', { now, coordination: { store, secret: 's3cret' } });
    expect([...other.rotations.keys()][0]).not.toBe([...store.rotations.keys()][1]);
  });

  it("hands out another process's rotation of the same refresh token instead of rotating again", async () => {
    const store = new SharedMemoryStore();
    const coordination = { store, secret: 's3cret' };
    // "Another process" refreshed rt-shared; this process has never seen it (another client id keeps the in-process
    // memory out of the way), learns the name from a first refresh, then finds the remembered rotation.
    await sharedRefresh(makeClient({ clientId: 'app' }), 'rt-shared', { now, coordination });
    const [name] = onlyRotation(store);
    store.rotations.set(name, { tokens: rotatedElsewhere(), ttlMs: ROTATION_GRACE_MS });
    f.clock = T0 + ROTATION_GRACE_MS; // past this process's own memory of it
    const got = await sharedRefresh(makeClient({ clientId: 'app' }), 'rt-shared', { now, coordination });
    expect(got.accessToken).toBe('at-from-another-process');
    expect(tokenRequests()).toHaveLength(1);
  });

  it('finds a rotation remembered while it waited for the lock', async () => {
    const store = new SharedMemoryStore();
    const coordination = { store, secret: 's3cret' };
    await sharedRefresh(makeClient({ clientId: 'app-2' }), 'rt-x', { now, coordination });
    const [name] = onlyRotation(store);
    store.rotations.clear();
    store.beforeNextLock = async () => {
      store.rotations.set(name, { tokens: rotatedElsewhere(), ttlMs: ROTATION_GRACE_MS });
    };
    f.clock = T0 + ROTATION_GRACE_MS;
    const got = await sharedRefresh(makeClient({ clientId: 'app-2' }), 'rt-x', { now, coordination });
    expect(got.accessToken).toBe('at-from-another-process');
    expect(tokenRequests()).toHaveLength(1);
  });
});

describe('isRefreshCoordination', () => {
  it('recognises a store with the three methods, and not a plain TokenStore', () => {
    expect(isRefreshCoordination(new SharedMemoryStore())).toBe(true);
    expect(isRefreshCoordination(new MemoryTokenStore())).toBe(false);
    expect(isRefreshCoordination(undefined)).toBe(false);
  });
});
