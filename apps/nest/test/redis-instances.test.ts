import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { QontoApiClient, type TokenSet } from '@qonto-oauth/core';
import { type RedisServer, startRedisServer } from '@qonto-oauth/redis/testing';
import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { completeAuthorization } from '@qonto-oauth/sandbox/testing';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LOGIN_COOKIE } from '../src/login-sessions.js';
import { Browser } from './helpers/browser.js';

const mainJs = fileURLToPath(new URL('../dist/main.js', import.meta.url));
const HOUR = 60 * 60 * 1000;

let sandbox: QontoSandbox;
let redis: RedisServer;
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (!existsSync(mainJs))
    throw new Error('dist/main.js is missing: run `pnpm --filter example-nest build` first.');
  // The demo client accepts a callback on any loopback port, as `pnpm demo` does. Redis keeps its data across a
  // restart (append-only file), as a production one does.
  [sandbox, redis] = await Promise.all([
    startQontoSandbox({ demo: true }),
    startRedisServer({ appendonly: true }),
  ]);
});
afterAll(async () => {
  await Promise.all([sandbox?.close(), redis?.close()]);
});
afterEach(async () => {
  await Promise.all(
    children.splice(0).map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    }),
  );
  await onRedis((client) => client.flushall());
});

/** Runs `command` on the test's Redis with a client of its own. */
async function onRedis<T>(command: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(redis.url);
  try {
    return await command(client);
  } finally {
    client.disconnect();
  }
}

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** One instance of the built app, as `pnpm start` runs it, with REDIS_URL; resolves with its origin. */
async function startInstance(): Promise<string> {
  const port = await freePort();
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: String(port),
    QONTO_SANDBOX_URL: sandbox.url,
    REDIS_URL: redis.url,
    SESSION_SECRET: 'one-secret-for-every-instance',
  };
  for (const name of Object.keys(env)) if (/^QONTO_(?!SANDBOX_URL)/.test(name)) delete env[name];
  const child = spawn(process.execPath, [mainJs], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const origin = `http://localhost:${port}`;
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes(`example-nest on ${origin}`)) resolve();
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`the instance exited with ${code}:\n${output}`)));
  });
  expect(output).toContain(`Logins in Redis at 127.0.0.1:${redis.port}`);
  return origin;
}

/**
 * Two instances of one deployment (one Qonto app, one cookie secret, one Redis), two processes on two ports, and
 * one browser: cookies ignore ports, so it carries the same login cookie to both, as behind a load balancer.
 */
async function startTwoInstances(): Promise<{ origins: string[]; browser: Browser }> {
  return { origins: await Promise.all([startInstance(), startInstance()]), browser: new Browser() };
}

async function signInOn(origin: string, browser: Browser): Promise<void> {
  const start = await browser.request(`${origin}/auth/qonto`);
  expect(start.status).toBe(302);
  const callback = await completeAuthorization(start.headers.get('location')!, singleOrganizationUser());
  expect((await browser.open(callback)).url).toBe(`${origin}/me`);
}

function singleOrganizationUser(): QontoSandbox['users'][number] {
  return sandbox.users.find((u) => u.organizations.length === 1)!;
}

/** The one login in Redis, as every instance reads it. */
async function onlyLogin(): Promise<TokenSet> {
  const keys = await onRedis((client) => client.keys('example-nest:connection:*'));
  expect(keys).toHaveLength(1);
  return JSON.parse((await onRedis((client) => client.get(keys[0]!)))!) as TokenSet;
}

const tokenRequests = () =>
  sandbox.requests.filter((r) => r.method === 'POST' && r.path === '/oauth2/token').length;

function worksAtQonto(accessToken: string): Promise<boolean> {
  const api = new QontoApiClient({
    environment: sandbox.endpoints,
    stagingToken: sandbox.stagingToken,
    tokens: accessToken,
  });
  return api.getOrganization().then(
    () => true,
    () => false,
  );
}

// Each instance is a Nest process that boots in seconds on a loaded machine: generous time, nothing timed.
describe('two instances of example-nest behind one Redis (REDIS_URL)', { timeout: 120_000 }, () => {
  it('serve a login made on one from the other, and refresh its expired token once between them', async () => {
    const { origins, browser } = await startTwoInstances();
    await signInOn(origins[0]!, browser);
    const legalName = singleOrganizationUser().organizations[0]!.legalName;
    const onSecond = await browser.open(`${origins[1]}/me`);
    expect(onSecond.url).toBe(`${origins[1]}/me`);
    expect(onSecond.html).toContain(legalName);

    // Qonto's clock moves past the access token's hour: both instances meet its 401 and refresh.
    const before = await onlyLogin();
    sandbox.clock.advance(HOUR + 60_000);
    expect(await worksAtQonto(before.accessToken)).toBe(false);
    sandbox.requests.clear();
    // Ten page loads at once, split between the instances, all with the expired access token.
    const pages = await Promise.all(
      Array.from({ length: 10 }, (_, i) => browser.open(`${origins[i % 2]}/me`)),
    );
    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(page.html).toContain(legalName);
    }
    expect(tokenRequests()).toBe(1);

    const after = await onlyLogin();
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(await worksAtQonto(after.accessToken)).toBe(true);
    // Each instance now reads the rotated set from Redis: no second refresh on either.
    for (const origin of origins) expect((await browser.open(`${origin}/me`)).status).toBe(200);
    expect(tokenRequests()).toBe(1);
  });

  it('spend the refresh token once when "Refresh tokens" is pressed on both at the same time', async () => {
    const { origins, browser } = await startTwoInstances();
    await signInOn(origins[0]!, browser);
    const before = await onlyLogin();
    sandbox.requests.clear();
    // Qonto answers slowly, so both instances read the same refresh token before either rotates it: without the
    // store's refresh lock the second would spend a rotated refresh token, get invalid_grant and end the login.
    sandbox.faults.latency(1_000);
    try {
      const pressed = await Promise.all(origins.map((origin) => browser.post(`${origin}/refresh`)));
      for (const [i, page] of pressed.entries()) {
        expect(page.url).toBe(`${origins[i]}/me?notice=refreshed`);
        expect(page.status).toBe(200);
      }
    } finally {
      sandbox.faults.reset();
    }
    expect(tokenRequests()).toBe(1);
    const after = await onlyLogin();
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(await worksAtQonto(after.accessToken)).toBe(true);
  });

  it.each([
    [0, 'the instance it was made on'],
    [1, 'the other instance'],
  ])('end a login on both when it is disconnected on instance %i (%s)', async (index) => {
    const { origins, browser } = await startTwoInstances();
    await signInOn(origins[0]!, browser);
    const { accessToken } = await onlyLogin();
    // Both instances have served the login before it ends.
    expect((await browser.open(`${origins[1]}/me`)).url).toBe(`${origins[1]}/me`);

    const copied = browser.jar.get(LOGIN_COOKIE)!.value;
    const disconnecting = origins[index]!;
    expect((await browser.post(`${disconnecting}/disconnect`)).url).toBe(
      `${disconnecting}/?notice=disconnected`,
    );

    for (const origin of origins) {
      expect((await browser.open(`${origin}/me`)).url).toBe(`${origin}/?notice=signed-out`);
    }
    // A copy of the login cookie (another tab's request in flight, a stolen cookie) is signed out too, on the
    // instance that ended the login and on the one that finds it gone from Redis.
    for (const origin of origins) {
      const answer = await fetch(`${origin}/me`, {
        headers: { cookie: `${LOGIN_COOKIE}=${copied}` },
        redirect: 'manual',
      });
      expect(answer.status).toBe(303);
      expect(answer.headers.get('location')).toBe('/?notice=signed-out');
    }
    // Nothing of the login left in Redis, and the consent revoked at Qonto.
    expect(await onRedis((client) => client.keys('*'))).toEqual([]);
    expect(await worksAtQonto(accessToken)).toBe(false);
  });

  it('answer 503 naming Redis while it is down, and serve the same login once it is back', async () => {
    const { origins, browser } = await startTwoInstances();
    await signInOn(origins[0]!, browser);
    const { accessToken, refreshToken } = await onlyLogin();

    await redis.stop();
    for (const origin of origins) {
      const page = await browser.open(`${origin}/me`);
      expect(page.status).toBe(503);
      expect(page.html).toContain(`Redis at 127.0.0.1:${redis.port}`);
      for (const secret of [accessToken, refreshToken!]) expect(page.html).not.toContain(secret);
    }

    await redis.start();
    for (const origin of origins) {
      const page = await browser.open(`${origin}/me`);
      expect(page.url).toBe(`${origin}/me`);
      expect(page.status).toBe(200);
    }
    expect((await onlyLogin()).refreshToken).toBe(refreshToken);
  });
});
