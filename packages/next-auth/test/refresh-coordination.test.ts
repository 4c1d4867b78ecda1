import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { type QontoError, QontoOAuthClient } from '@qonto-oauth/core';
import { RedisTokenStore } from '@qonto-oauth/redis';
import { type RedisServer, startRedisServer } from '@qonto-oauth/redis/testing';
import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { completeAuthorization } from '@qonto-oauth/sandbox/testing';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type QontoJwtTokens, refreshQontoToken } from '../src/authjs.js';

const run = promisify(execFile);
const CLIENT = { clientId: 'coordinated-refresh', clientSecret: 'coordinated-refresh-secret' };
const REDIRECT_URI = 'http://127.0.0.1/callback';

let sandbox: QontoSandbox;
let redis: RedisServer;
let store: RedisTokenStore;
const options = () => ({ ...CLIENT, environment: sandbox.endpoints, stagingToken: sandbox.stagingToken });

beforeAll(async () => {
  [sandbox, redis] = await Promise.all([startQontoSandbox(), startRedisServer()]);
  sandbox.addClient({ ...CLIENT, redirectUris: [REDIRECT_URI] });
  store = new RedisTokenStore({ url: redis.url });
});
afterAll(async () => {
  await store?.close();
  await Promise.all([sandbox?.close(), redis?.close()]);
});

/** A session token whose access token has expired. */
async function expiredSessionToken(): Promise<QontoJwtTokens> {
  const client = new QontoOAuthClient({ ...options(), redirectUri: REDIRECT_URI });
  const { url, codeVerifier } = await client.createAuthorizationRequest();
  const callback = new URL(await completeAuthorization(url, sandbox.users[1]!));
  const tokens = await client.exchangeCode({ code: callback.searchParams.get('code')!, codeVerifier });
  sandbox.requests.clear();
  return {
    access_token: tokens.accessToken,
    refresh_token: tokens.refreshToken,
    expires_at: Math.floor(Date.now() / 1000) - 10,
  };
}

const refreshRequests = () =>
  sandbox.requests.filter((r) => r.method === 'POST' && r.path === '/oauth2/token').length;

describe('refreshQontoToken with coordination', () => {
  it('gives another instance that receives the old cookie the same rotation, without a second refresh', async () => {
    const token = await expiredSessionToken();
    const rotated = await refreshQontoToken(token, { ...options(), coordination: store });
    expect(rotated.error).toBeUndefined();
    expect(rotated.access_token).not.toBe(token.access_token);

    const { stdout } = await run(
      process.execPath,
      [new URL('./fixtures/other-instance.mjs', import.meta.url).pathname],
      {
        env: {
          ...process.env,
          OTHER_INSTANCE: JSON.stringify({ token, options: options(), redisUrl: redis.url }),
        },
      },
    );
    const other = JSON.parse(stdout) as QontoJwtTokens;
    expect(other).toMatchObject({
      access_token: rotated.access_token,
      refresh_token: rotated.refresh_token,
      expires_at: rotated.expires_at,
    });
    expect(refreshRequests()).toBe(1);

    // In Redis: the rotation for 60 s under a keyed hash; the replaced refresh token appears nowhere.
    const raw = new Redis(redis.url);
    const keys = await raw.keys('*');
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatch(/^qonto-oauth:rotation:\{[A-Za-z0-9_-]{43}\}$/);
    expect(await raw.pttl(keys[0]!)).toBeLessThanOrEqual(60_000);
    expect(JSON.stringify([keys, await raw.get(keys[0]!)])).not.toContain(token.refresh_token);
    raw.disconnect();
  });

  it('keeps the session, marked RefreshTransientError (token_store), when the shared Redis is unreachable', async () => {
    const token = await expiredSessionToken();
    const down = await startRedisServer();
    await down.close();
    const unreachable = new RedisTokenStore({ url: down.url });
    const reported: QontoError[] = [];
    const result = await refreshQontoToken(token, {
      ...options(),
      coordination: unreachable,
      onTransientError: (error) => reported.push(error),
    });
    await unreachable.close();
    expect(result).toEqual({ ...token, error: 'RefreshTransientError', error_reason: 'token_store' });
    expect(reported[0]?.message).toContain(`Redis at 127.0.0.1:${down.port}`);
    expect(reported[0]?.message).not.toContain(token.refresh_token);
    expect(refreshRequests()).toBe(0);
  });
});
