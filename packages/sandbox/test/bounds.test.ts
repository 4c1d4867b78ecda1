import { describe, expect, it } from 'vitest';
import { createCookieJarFetch } from '../src/browser.js';
import { createClock } from '../src/clock.js';
import { ExpiringMap } from '../src/expiring-map.js';
import {
  FLOW_LIFETIME_MS,
  FORGET_AFTER_MS,
  REQUEST_LOG_SIZE,
  WEB_APP_SESSION_LIFETIME_MS,
} from '../src/limits.js';
import { GrantStore, REFRESH_TOKEN_LIFETIME_MS } from '../src/oauth/grants.js';
import { authorizeUrl, startSandbox } from './helpers.js';

const stepOf = (html: string) => /<meta name="qonto-sandbox-step" content="([^"]*)">/.exec(html)?.[1];

describe('memory bounds', () => {
  it(`keeps the last ${REQUEST_LOG_SIZE} requests in sandbox.requests, oldest first, and clear() still empties it`, async () => {
    const sandbox = await startSandbox();
    const total = REQUEST_LOG_SIZE + 25;
    for (let i = 0; i < total; i += 10) {
      await Promise.all(
        Array.from({ length: Math.min(10, total - i) }, (_, j) => fetch(`${sandbox.url}/nowhere/${i + j}`)),
      );
    }
    expect(sandbox.requests).toHaveLength(REQUEST_LOG_SIZE);
    const numbers = sandbox.requests.map((r) => Number(r.path.split('/').pop()));
    expect(Math.min(...numbers)).toBe(25);
    expect(Array.isArray(sandbox.requests)).toBe(true);
    sandbox.requests.clear();
    expect(sandbox.requests).toHaveLength(0);
  });

  it('forgets an authorize flow not finished within 30 minutes, and a web-app login after 24 hours', async () => {
    const sandbox = await startSandbox();
    const browse = createCookieJarFetch();
    await browse(`${sandbox.url}/devportal/login`, { method: 'POST' });
    const start = await browse(authorizeUrl(sandbox));
    const login = new URL(start.headers.get('location')!, sandbox.url).href;
    sandbox.clock.advance(FLOW_LIFETIME_MS - 1000);
    expect((await browse(login)).status).toBe(200);
    sandbox.clock.advance(2000);
    const expired = await browse(login);
    expect(expired.status).toBe(404);
    expect(await expired.text()).toContain('expired (a login must end within 30 minutes)');

    // The web-app login outlives the flow, then goes too: the authorize URL asks for it again.
    expect((await browse(authorizeUrl(sandbox))).status).toBe(302);
    sandbox.clock.advance(WEB_APP_SESSION_LIFETIME_MS);
    const again = await browse(authorizeUrl(sandbox));
    expect(stepOf(await again.text())).toBe('sandbox-web-app');
  });

  it('forgets codes, tokens and their grant once the last refresh token is an hour past its 90 days', () => {
    const clock = createClock(Date.UTC(2025, 0, 1));
    const store = new GrantStore(clock.now);
    const consent = {
      clientId: 'c',
      userId: 'u',
      membershipId: 'm',
      organizationId: 'o',
      scopes: ['offline_access', 'organization.read'],
      authTime: clock.now(),
      requestedAt: clock.now(),
    };
    const code = store.issueCode(consent, 'http://127.0.0.1/cb', undefined);
    const grant = store.redeemCode(code);
    const { refreshToken } = store.issueTokens(grant);
    expect(store.sizes).toEqual({ codes: 1, grants: 1, accessTokens: 1, refreshTokens: 1 });

    clock.advance(REFRESH_TOKEN_LIFETIME_MS);
    store.prune();
    // The code and the access token are gone; the expired refresh token is kept an hour to say why it fails.
    expect(store.sizes).toEqual({ codes: 0, grants: 1, accessTokens: 0, refreshTokens: 1 });
    expect(store.useRefreshToken(refreshToken!, 'c')).toEqual({ ok: false, reason: 'expired' });

    clock.advance(FORGET_AFTER_MS);
    store.prune();
    expect(store.sizes).toEqual({ codes: 0, grants: 0, accessTokens: 0, refreshTokens: 0 });
    expect(store.useRefreshToken(refreshToken!, 'c')).toEqual({ ok: false, reason: 'unknown' });
  });

  it('drops the oldest entries past its capacity, and each entry at its time', () => {
    const clock = createClock(0);
    const dropped: string[] = [];
    const map = new ExpiringMap<string, number>({
      keepMs: 1000,
      capacity: 3,
      now: clock.now,
      onDrop: (key) => dropped.push(key),
    });
    for (const [i, key] of ['a', 'b', 'c', 'd'].entries()) map.set(key, i);
    expect([map.has('a'), map.get('d'), map.size, dropped]).toEqual([false, 3, 3, ['a']]);
    map.set('b', 9); // set again: it lives from now, behind c and d
    clock.advance(1000);
    expect([...map.values()]).toEqual([]);
    map.prune();
    expect([map.size, dropped]).toEqual([0, ['a', 'c', 'd', 'b']]);
  });
});
