import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  MemoryTokenStore,
  QontoOAuthError,
  QontoTokenManager,
  ROTATION_GRACE_MS,
  sharedRefresh,
  type TokenSet,
  type TokenStore,
} from '../src/index.js';
import { useRotatingTokenEndpoint } from './helpers/token-endpoint.js';

const T0 = Date.parse('2026-03-01T09:00:00Z');
const f = useRotatingTokenEndpoint(T0);
const { now, tokenRequests, makeClient, expiredTokens } = f;

afterEach(() => {
  vi.useRealTimers();
});

describe('sharedRefresh', () => {
  it('sends one token request for concurrent refreshes through two client instances of the same app', async () => {
    const [first, second] = await Promise.all([
      sharedRefresh(makeClient(), 'rt-old', { now }),
      sharedRefresh(makeClient(), 'rt-old', { now }),
    ]);
    expect(tokenRequests()).toHaveLength(1);
    expect(first).toEqual(second);
    expect(first).toMatchObject({ accessToken: 'at-1', refreshToken: 'rt-1', expiresAt: T0 + 3600_000 });
  });

  it('keeps the refreshes of different client ids apart', async () => {
    await Promise.all([
      sharedRefresh(makeClient(), 'rt-old', { now }),
      sharedRefresh(makeClient({ clientId: 'another-app' }), 'rt-old', { now }),
    ]);
    expect(tokenRequests()).toHaveLength(2);
  });

  it('gives a request still carrying the replaced refresh token the same rotation for 60 s, then forgets it', async () => {
    const rotated = await sharedRefresh(makeClient(), 'rt-old', { now });
    f.clock = T0 + ROTATION_GRACE_MS - 1;
    expect(await sharedRefresh(makeClient(), 'rt-old', { now })).toEqual(rotated);
    expect(tokenRequests()).toHaveLength(1);

    // Qonto's grace period is over: the memory is too, and the old token goes to Qonto (which refuses it there).
    f.clock = T0 + ROTATION_GRACE_MS;
    const next = await sharedRefresh(makeClient(), 'rt-old', { now });
    expect(next.accessToken).toBe('at-2');
    expect(tokenRequests()).toHaveLength(2);
  });

  it('drops a remembered rotation after 60 s even when the injected clock stands still', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    let refreshes = 0;
    const refresher = {
      refresh: async (refreshToken: string): Promise<TokenSet> => {
        refreshes += 1;
        return { ...expiredTokens(), accessToken: `at-${refreshes}`, refreshToken: `${refreshToken}+1` };
      },
    };
    const frozen = () => T0;
    await sharedRefresh(refresher, 'rt-old', { now: frozen });
    vi.advanceTimersByTime(ROTATION_GRACE_MS - 1);
    await sharedRefresh(refresher, 'rt-old', { now: frozen });
    expect(refreshes).toBe(1);
    vi.advanceTimersByTime(1);
    expect((await sharedRefresh(refresher, 'rt-old', { now: frozen })).accessToken).toBe('at-2');
  });

  it('gives a failure to every waiter, remembers nothing, and the next call tries again', async () => {
    f.nextAnswer = { status: 400, body: { error: 'invalid_request', error_description: 'try later' } };
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, () => sharedRefresh(makeClient(), 'rt-old', { now })),
    );
    expect(tokenRequests()).toHaveLength(1);
    const reasons = outcomes.map((o) => (o.status === 'rejected' ? o.reason : undefined));
    expect(reasons.every((r) => r instanceof QontoOAuthError && r.error === 'invalid_request')).toBe(true);
    expect(new Set(reasons).size).toBe(1);

    f.nextAnswer = undefined;
    expect((await sharedRefresh(makeClient(), 'rt-old', { now })).accessToken).toBe('at-1');
    expect(tokenRequests()).toHaveLength(2);
  });

  it('marks invalid_grant as reconnectRequired, and keeps the old refresh token when none comes back', async () => {
    const refused = {
      refresh: () => Promise.reject(new QontoOAuthError('refused', { error: 'invalid_grant', status: 400 })),
    };
    await expect(sharedRefresh(refused, 'rt-old', { now })).rejects.toMatchObject({
      error: 'invalid_grant',
      reconnectRequired: true,
    });
    const { refreshToken: _, ...withoutRefreshToken } = expiredTokens();
    const silent = { refresh: async () => withoutRefreshToken };
    expect((await sharedRefresh(silent, 'rt-kept', { now })).refreshToken).toBe('rt-kept');
  });
});

describe('QontoTokenManager over sharedRefresh', () => {
  it('refreshes once for managers over different client instances and stores, each store saved before its caller returns', async () => {
    const events: string[] = [];
    const slowStore = (name: string): TokenStore => {
      const inner = new MemoryTokenStore();
      return {
        get: (key) => inner.get(key),
        delete: (key) => inner.delete(key),
        async set(key, tokens) {
          await new Promise((resolve) => setTimeout(resolve, 5));
          await inner.set(key, tokens);
          events.push(`${name} saved ${tokens.refreshToken}`);
        },
      };
    };
    const managers = ['a', 'b'].map(
      (name) =>
        new QontoTokenManager({ client: makeClient(), tokens: expiredTokens(), store: slowStore(name), now }),
    );
    await Promise.all(
      managers.map(async (manager, i) => {
        const token = await manager.getAccessToken();
        events.push(`caller ${i === 0 ? 'a' : 'b'} got ${token}`);
      }),
    );
    expect(tokenRequests()).toHaveLength(1);
    expect(events.indexOf('a saved rt-1')).toBeLessThan(events.indexOf('caller a got at-1'));
    expect(events.indexOf('b saved rt-1')).toBeLessThan(events.indexOf('caller b got at-1'));
  });

  it('hands a manager built later from the old set the rotation another one made', async () => {
    const first = new QontoTokenManager({ client: makeClient(), tokens: expiredTokens(), now });
    expect(await first.getAccessToken()).toBe('at-1');
    f.clock = T0 + 30_000;
    const late = new QontoTokenManager({ client: makeClient(), tokens: expiredTokens(), now });
    expect(await late.getTokens()).toMatchObject({ accessToken: 'at-1', refreshToken: 'rt-1' });
    expect(tokenRequests()).toHaveLength(1);
  });
});
