import { isQontoError, type TokenSet } from '@qonto-oauth/core';
import { QontoService } from '@qonto-oauth/nestjs';
import { RedisConnectionStore, RedisTokenStore } from '@qonto-oauth/redis';
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

  it('tokenManager({ key }).refreshNow() on two processes at once spends the refresh token once', async () => {
    const tokens = await expiredConnection();
    await store.set('organization-3', { ...tokens, expiresAt: Date.now() + 3_600_000 });
    // A second process: its own connection to the same Redis.
    const otherProcess = new RedisTokenStore({ url: redis.url });
    // Qonto answers slowly, so both read the same refresh token before either rotates it: only the store's refresh
    // lock keeps the second from spending it again (a second rotation, whose set one process then overwrites).
    sandbox.faults.latency(1_000);
    try {
      const sets = await Promise.all([
        qonto.tokenManager({ key: 'organization-3' }).refreshNow(),
        qonto.tokenManager({ key: 'organization-3', store: otherProcess }).refreshNow(),
      ]);
      expect(sets[1]).toEqual(sets[0]);
      expect(sets[0]?.refreshToken).not.toBe(tokens.refreshToken);
    } finally {
      sandbox.faults.reset();
      await otherProcess.close();
    }
    expect(refreshRequests()).toBe(1);
    const stored = await store.get('organization-3');
    expect(stored?.refreshToken).not.toBe(tokens.refreshToken);
    // A fresh set is returned as it is stored, with no further request to Qonto.
    expect(await qonto.tokenManager({ key: 'organization-3' }).getTokens()).toEqual(stored);
    expect(refreshRequests()).toBe(1);
  });

  it('tokenManager({ key }) finds no tokens for a connection never saved, and says to reconnect', async () => {
    const error = await qonto
      .tokenManager({ key: 'never-connected' })
      .getAccessToken()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isQontoError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'token_store', reconnectRequired: true, key: 'never-connected' });
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
    expect(() => qonto.tokenManager({})).toThrow(/needs the connection's key/);
  });
});

describe('shutting down', () => {
  it('closes the stores given inline in forRoot on app.close(), so Redis keeps no process alive', async () => {
    const tokens = new RedisTokenStore({ url: redis.url, keyPrefix: 'closing-app:' });
    const connections = new RedisConnectionStore({ url: redis.url, keyPrefix: 'closing-app:' });
    const closing = await startTestApp(sandbox, { store: tokens, connections: { store: connections } });
    expect(await connections.list('user-1')).toEqual([]);
    await closing.close();
    await expect(tokens.get('any')).rejects.toMatchObject({ code: 'token_store' });
    await expect(connections.list('user-1')).rejects.toMatchObject({ code: 'token_store' });
  });
});
