import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { RedisTokenStore } from '@qonto-oauth/redis';
import { type RedisServer, startRedisServer } from '@qonto-oauth/redis/testing';
import type { QontoSandbox } from '@qonto-oauth/sandbox';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { Browser, useEmulator } from './helpers/app.js';
import { accessTokenBody, expireAccessToken, qontoRows } from './helpers/rows.js';

const run = promisify(execFile);
const fixture = join(fileURLToPath(new URL('.', import.meta.url)), 'fixtures', 'other-process-refresh.mjs');
const emulator = useEmulator();
let sandbox: QontoSandbox;
let redis: RedisServer;
let store: RedisTokenStore;

beforeAll(async () => {
  sandbox = emulator.sandbox;
  redis = await startRedisServer();
  store = new RedisTokenStore({ url: redis.url });
});
afterAll(async () => {
  await store?.close();
  await redis?.close();
});

it('with a Redis coordination, a rotation made by another process is reused, not rotated again', async () => {
  const app = await emulator.app({ qonto: { coordination: store } });
  const browser = new Browser(app);
  await browser.signIn(sandbox.users[1]!);
  const row = qontoRows(app)[0]!;
  sandbox.requests.clear();

  // Another process refreshes this account's refresh token first (its row update not seen here yet).
  const { stdout: theirAccessToken } = await run(process.execPath, [fixture], {
    env: {
      ...process.env,
      SANDBOX_URL: sandbox.url,
      STAGING_TOKEN: sandbox.stagingToken,
      CLIENT_ID: app.clientId,
      CLIENT_SECRET: app.clientSecret,
      REDIS_URL: redis.url,
      REFRESH_TOKEN: row.refreshToken!,
    },
  });
  expect(theirAccessToken).toMatch(/\S/);

  // This process, still holding the replaced refresh token, gets the same rotation from Redis.
  expireAccessToken(row);
  const { status, body } = await browser.call<{ accessToken: string }>('/get-access-token', {
    body: accessTokenBody(app, row),
  });
  expect(status).toBe(200);
  expect(body.accessToken).toBe(theirAccessToken);
  expect(sandbox.requests.filter((r) => r.method === 'POST' && r.path === '/oauth2/token')).toHaveLength(1);
  expect(qontoRows(app)[0]!.accessToken).toBe(theirAccessToken);
});
