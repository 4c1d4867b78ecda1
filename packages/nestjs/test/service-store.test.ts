import { isQontoError, type TokenSet } from '@qonto-oauth/core';
import { QontoService } from '@qonto-oauth/nestjs';
import { RedisTokenStore } from '@qonto-oauth/redis';
import { type RedisServer, startRedisServer } from '@qonto-oauth/redis/testing';
import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { completeAuthorization } from '@qonto-oauth/sandbox/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';

let sandbox: QontoSandbox;
let redis: RedisServer;
let store: RedisTokenStore;
let app: TestApp;
let qonto: QontoService;

beforeAll(async () => {
  [sandbox, redis] = await Promise.all([startQontoSandbox(), startRedisServer()]);
  store = new RedisTokenStore({ url: redis.url });
  app = await startTestApp(sandbox, { store });
  qonto = app.app.get(QontoService);
});
afterAll(async () => {
  await app?.close();
  await store?.close();
  await Promise.all([sandbox?.close(), redis?.close()]);
});

/** A connection made through the service, its access token expired as the app sees it. */
async function expiredConnection(): Promise<TokenSet> {
  const request = await qonto.createAuthorizationRequest();
  const user = sandbox.users[1]!;
  const callback = await completeAuthorization(request.url, { email: user.email, password: user.password });
  const { tokens } = await qonto.handleCallback(callback, request);
  sandbox.requests.clear();
  return { ...tokens, expiresAt: Date.now() - 1000 };
}

const refreshRequests = () =>
  sandbox.requests.filter((r) => r.method === 'POST' && r.path === '/oauth2/token').length;

describe('QontoModule with a store', () => {
  it("api(tokens, { key }) keeps the rotated tokens in the module's store, one refresh for concurrent requests", async () => {
    const tokens = await expiredConnection();
    await store.set('organization-1', tokens);
    // A client per request, as a controller would build it.
    const organizations = await Promise.all(
      Array.from({ length: 20 }, () => qonto.api(tokens, { key: 'organization-1' }).getOrganization()),
    );
    expect(new Set(organizations.map((o) => o.id)).size).toBe(1);
    expect(refreshRequests()).toBe(1);
    const stored = await store.get('organization-1');
    expect(stored?.refreshToken).not.toBe(tokens.refreshToken);
    expect(stored?.expiresAt).toBeGreaterThan(Date.now());
  });

  it('api(tokens, { store, key }) takes a store of its own over the module one', async () => {
    const tokens = await expiredConnection();
    const other = new RedisTokenStore({ url: redis.url, keyPrefix: 'other-app:' });
    await qonto.api(tokens, { store: other, key: 'organization-2' }).getOrganization();
    expect((await other.get('organization-2'))?.refreshToken).not.toBe(tokens.refreshToken);
    expect(await store.get('organization-2')).toBeUndefined();
    await other.close();
  });

  it("asks for the connection's key rather than filing every connection under one", () => {
    const error = (() => {
      try {
        qonto.api({ accessToken: 'a', tokenType: 'bearer', scopes: [], expiresAt: 0 });
      } catch (e) {
        return e;
      }
    })();
    expect(isQontoError(error)).toBe(true);
    expect((error as Error).message).toMatch(/needs the connection's key/);
  });
});
