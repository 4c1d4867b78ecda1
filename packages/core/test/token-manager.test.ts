import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  isQontoError,
  MemoryTokenStore,
  QontoOAuthError,
  QontoTokenManager,
  QontoTokenStoreError,
  type TokenSet,
  type TokenStore,
} from '../src/index.js';
import { STAGING, useRotatingTokenEndpoint } from './helpers/token-endpoint.js';

const T0 = Date.parse('2026-03-01T09:00:00Z');
const f = useRotatingTokenEndpoint(T0);
const { now, tokenRequests, makeClient, expiredTokens } = f;

/** A store holding an expired set under 'k', and the set a reconnection saves over it. */
async function storeAndReconnection(): Promise<{ store: MemoryTokenStore; reconnected: TokenSet }> {
  const store = new MemoryTokenStore();
  await store.set('k', expiredTokens());
  const reconnected: TokenSet = {
    ...expiredTokens(),
    accessToken: 'at-reconnected',
    refreshToken: 'rt-reconnected',
    expiresAt: T0 + 3600_000,
  };
  return { store, reconnected };
}

describe('QontoTokenManager', () => {
  it('refreshes refreshSkewSeconds before expiry, judged by the injected clock', async () => {
    const tokens = { ...expiredTokens(), expiresAt: T0 + 120_000 };
    const manager = new QontoTokenManager({ client: makeClient(), tokens, refreshSkewSeconds: 30, now });
    f.clock = T0 + 89_000; // 31 s left: still good
    expect(await manager.getAccessToken()).toBe('at-old');
    expect(tokenRequests()).toHaveLength(0);
    f.clock = T0 + 90_000; // 30 s left: refresh
    expect(await manager.getAccessToken()).toBe('at-1');
    expect(tokenRequests()).toHaveLength(1);
    expect(new URLSearchParams(tokenRequests()[0]!.body).get('refresh_token')).toBe('rt-old');
  });

  it('refreshes 60 s before expiry by default', async () => {
    const tokens = { ...expiredTokens(), expiresAt: T0 + 120_000 };
    const manager = new QontoTokenManager({ client: makeClient(), tokens, now });
    f.clock = T0 + 59_000;
    expect(await manager.getAccessToken()).toBe('at-old');
    f.clock = T0 + 60_000;
    expect(await manager.getAccessToken()).toBe('at-1');
  });

  it('sends one token request for 1,000 concurrent callers on an expired token, and all get the rotated token', async () => {
    const manager = new QontoTokenManager({ client: makeClient(), tokens: expiredTokens(), now });
    const results = await Promise.all(Array.from({ length: 1000 }, () => manager.getAccessToken()));
    expect(tokenRequests()).toHaveLength(1);
    expect(new Set(results)).toEqual(new Set(['at-1']));
    // The rotated refresh token is the one used next time.
    f.clock += 3600_000;
    await manager.getAccessToken();
    expect(new URLSearchParams(tokenRequests()[1]!.body).get('refresh_token')).toBe('rt-1');
  });

  it('shares one refresh between managers built per request over the same client and store', async () => {
    const client = makeClient();
    const store = new MemoryTokenStore();
    const managers = Array.from(
      { length: 5 },
      () => new QontoTokenManager({ client, tokens: expiredTokens(), store, key: 'user-1', now }),
    );
    const results = await Promise.all(managers.map((m) => m.getAccessToken()));
    expect(tokenRequests()).toHaveLength(1);
    expect(new Set(results)).toEqual(new Set(['at-1']));
  });

  it('gives a failed refresh to every waiter, and the next call tries again', async () => {
    const manager = new QontoTokenManager({ client: makeClient(), tokens: expiredTokens(), now });
    f.nextAnswer = { status: 400, body: { error: 'invalid_request', error_description: 'try later' } };
    const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => manager.getAccessToken()));
    expect(tokenRequests()).toHaveLength(1);
    const reasons = outcomes.map((o) => (o.status === 'rejected' ? o.reason : undefined));
    expect(reasons.every((r) => r instanceof QontoOAuthError && r.error === 'invalid_request')).toBe(true);
    expect(new Set(reasons).size).toBe(1);

    f.nextAnswer = undefined;
    expect(await manager.getAccessToken()).toBe('at-1');
    expect(tokenRequests()).toHaveLength(2);
  });

  it('saves the rotated set in the store before any caller sees it', async () => {
    const events: string[] = [];
    const inner = new MemoryTokenStore();
    const store: TokenStore = {
      get: (key) => inner.get(key),
      delete: (key) => inner.delete(key),
      async set(key, tokens) {
        // A slow, durable write: callers must still wait for it.
        await new Promise((resolve) => setTimeout(resolve, 5));
        await inner.set(key, tokens);
        events.push(`set ${tokens.accessToken}`);
      },
    };
    const manager = new QontoTokenManager({
      client: makeClient(),
      tokens: expiredTokens(),
      store,
      key: 'k',
      now,
    });
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        const token = await manager.getAccessToken();
        events.push(`caller ${token} sees store ${(await inner.get('k'))?.accessToken}`);
      }),
    );
    expect(events[0]).toBe('set at-1');
    expect(events.slice(1)).toEqual(Array.from({ length: 10 }, () => 'caller at-1 sees store at-1'));
    expect((await inner.get('k'))?.refreshToken).toBe('rt-1');
  });

  it('keeps a set of another chain saved while Qonto answered the refresh (a reconnection), and returns it', async () => {
    const { store, reconnected } = await storeAndReconnection();
    const client = makeClient();
    const rotations: TokenSet[] = [];
    const manager = new QontoTokenManager({
      client: {
        async refresh(refreshToken) {
          const rotated = await client.refresh(refreshToken);
          await store.set('k', reconnected); // the user reconnected while this refresh was in flight
          return rotated;
        },
      },
      store,
      key: 'k',
      now,
      onRotate: (t) => void rotations.push(t),
    });
    expect(await manager.getAccessToken()).toBe('at-reconnected');
    expect(tokenRequests()).toHaveLength(1);
    expect(await store.get('k')).toEqual(reconnected);
    expect(rotations).toEqual([]);
    // The next call uses the reconnected set without another refresh.
    expect(await manager.getAccessToken()).toBe('at-reconnected');
    expect(tokenRequests()).toHaveLength(1);
  });

  it('returns a reconnection saved while Qonto refused the old refresh token, instead of the refusal', async () => {
    const { store, reconnected } = await storeAndReconnection();
    const manager = new QontoTokenManager({
      client: {
        async refresh() {
          await store.set('k', reconnected); // the user reconnected while this refresh was in flight
          throw new QontoOAuthError('refused', { error: 'invalid_grant', status: 400 });
        },
      },
      store,
      key: 'k',
      now,
    });
    expect(await manager.getAccessToken()).toBe('at-reconnected');
    expect(await store.get('k')).toEqual(reconnected);
  });

  it('says to reconnect once the set it read is deleted from the store, and never saves a rotation back', async () => {
    const store = new MemoryTokenStore();
    await store.set('k', { ...expiredTokens(), expiresAt: T0 + 3600_000 });
    const manager = new QontoTokenManager({ client: makeClient(), store, key: 'k', now });
    expect(await manager.getAccessToken()).toBe('at-old');
    await store.delete('k'); // a disconnect or a logout elsewhere in the app
    await expect(manager.getAccessToken()).rejects.toMatchObject({
      name: 'QontoTokenStoreError',
      reconnectRequired: true,
    });
    // Deleted while Qonto answered a refresh: the rotated set is not saved back.
    await store.set('k', expiredTokens());
    const deleting = new QontoTokenManager({
      client: {
        async refresh(refreshToken) {
          const rotated = await makeClient().refresh(refreshToken);
          await store.delete('k');
          return rotated;
        },
      },
      store,
      key: 'k',
      now,
    });
    await expect(deleting.getAccessToken()).rejects.toMatchObject({ reconnectRequired: true });
    expect(await store.get('k')).toBeUndefined();
  });

  it('prefers the set already in the store over the tokens it was given', async () => {
    const store = new MemoryTokenStore();
    const stored: TokenSet = { ...expiredTokens(), accessToken: 'at-stored', expiresAt: T0 + 3600_000 };
    await store.set('user-1', stored);
    const manager = new QontoTokenManager({
      client: makeClient(),
      tokens: expiredTokens(),
      store,
      key: 'user-1',
      now,
    });
    expect(await manager.getAccessToken()).toBe('at-stored');
    expect(tokenRequests()).toHaveLength(0);
  });

  it('turns invalid_grant into a QontoOAuthError with reconnectRequired', async () => {
    f.nextAnswer = {
      status: 400,
      body: { error: 'invalid_grant', error_description: 'token rt-old was revoked' },
    };
    const manager = new QontoTokenManager({ client: makeClient(), tokens: expiredTokens(), now });
    const error = await manager.getAccessToken().catch((e: unknown) => e);
    expect(isQontoError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'oauth', error: 'invalid_grant', reconnectRequired: true });
    expect((error as Error).message).not.toContain('rt-old');
  });

  it('marks invalid_grant as reconnectRequired whichever refresher reported it', async () => {
    const client = {
      refresh: () => Promise.reject(new QontoOAuthError('refused', { error: 'invalid_grant', status: 400 })),
    };
    const manager = new QontoTokenManager({ client, tokens: expiredTokens(), now });
    await expect(manager.getAccessToken()).rejects.toMatchObject({
      error: 'invalid_grant',
      reconnectRequired: true,
    });
  });

  it('asks for a reconnection when the token expired and there is no refresh token', async () => {
    const { refreshToken: _, ...withoutRefresh } = expiredTokens();
    const manager = new QontoTokenManager({ client: makeClient(), tokens: withoutRefresh, now });
    const error = await manager.getAccessToken().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'oauth', reconnectRequired: true });
    expect((error as Error).message).toContain('offline_access');
    expect(tokenRequests()).toHaveLength(0);
  });

  it('refreshNow() rotates a token that has not expired yet', async () => {
    const tokens = { ...expiredTokens(), expiresAt: T0 + 3600_000 };
    const manager = new QontoTokenManager({ client: makeClient(), tokens, now });
    expect((await manager.refreshNow()).accessToken).toBe('at-1');
    expect(await manager.getAccessToken()).toBe('at-1');
    expect(tokenRequests()).toHaveLength(1);
  });

  it('refreshNow({ rejectedAccessToken }) uses a set another process stored meanwhile, and refreshes otherwise', async () => {
    const store = new MemoryTokenStore();
    const tokens = { ...expiredTokens(), expiresAt: T0 + 3600_000 };
    await store.set('user-1', tokens);
    const manager = new QontoTokenManager({ client: makeClient(), tokens, store, key: 'user-1', now });
    // Another process rotated between this one's API call (answered 401) and its refresh.
    const rotatedElsewhere: TokenSet = {
      ...tokens,
      accessToken: 'at-elsewhere',
      refreshToken: 'rt-elsewhere',
    };
    await store.set('user-1', rotatedElsewhere);
    expect(await manager.refreshNow({ rejectedAccessToken: 'at-old' })).toEqual(rotatedElsewhere);
    expect(tokenRequests()).toHaveLength(0);
    // The stored access token is the one the API refused: rotate it.
    const rotated = await manager.refreshNow({ rejectedAccessToken: 'at-elsewhere' });
    expect(rotated.accessToken).toBe('at-1');
    expect(tokenRequests()).toHaveLength(1);
    expect(new URLSearchParams(tokenRequests()[0]!.body).get('refresh_token')).toBe('rt-elsewhere');
  });

  it('reads its tokens from store and key alone, and says to reconnect when none are saved', async () => {
    const store = new MemoryTokenStore();
    const rotations: TokenSet[] = [];
    const manager = new QontoTokenManager({
      client: makeClient(),
      store,
      key: 'user-1',
      now,
      onRotate: (tokens) => {
        rotations.push(tokens);
      },
    });
    const missing = await manager.getAccessToken().catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(QontoTokenStoreError);
    expect(missing).toMatchObject({ key: 'user-1', reconnectRequired: true });
    await store.set('user-1', expiredTokens());
    expect(await manager.getAccessToken()).toBe('at-1');
    // onRotate sees the rotated set once it is saved, with its refresh token's new 90 days.
    expect(rotations).toEqual([await store.get('user-1')]);
    expect(rotations[0]?.refreshTokenExpiresAt).toBe(f.clock + 90 * 86_400_000);
  });

  it('keeps tokens out of inspect() and JSON', async () => {
    const manager = new QontoTokenManager({ client: makeClient(), tokens: expiredTokens(), now });
    await manager.getAccessToken();
    const shown = inspect(manager, { showHidden: true, depth: 10 }) + JSON.stringify(manager);
    for (const secret of ['at-old', 'rt-old', 'at-1', 'rt-1', 'client-secret-value', STAGING]) {
      expect(shown).not.toContain(secret);
    }
  });

  it('rejects options that cannot work, naming the option', () => {
    const client = makeClient();
    expect(() => new QontoTokenManager({ client, tokens: undefined as never })).toThrow(/tokens/);
    expect(() => new QontoTokenManager({ client: {} as never, tokens: expiredTokens() })).toThrow(/client/);
    expect(() => new QontoTokenManager({ client, tokens: expiredTokens(), refreshSkewSeconds: -1 })).toThrow(
      /refreshSkewSeconds/,
    );
  });
});
