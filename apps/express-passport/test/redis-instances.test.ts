import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QontoApiClient } from '@qonto-oauth/core';
import { type RedisServer, startRedisServer } from '@qonto-oauth/redis/testing';
import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { DEMO_CLIENT_ID } from '@qonto-oauth/sandbox/demo';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { DEMO_ACCOUNTS } from '../src/demo-accounts.js';
import { type AppStores, redisStores } from '../src/stores.js';
import { RedisWebhookSubscriptionStore } from '../src/webhook-subscriptions.js';
import {
  connectOrganization,
  signIn,
  signInToProduct,
  singleOrganizationUser,
  storedSessions,
} from './helpers/app-harness.js';
import { TestBrowser } from './helpers/browser.js';

const serverJs = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'server.js');
const HOUR = 60 * 60 * 1000;

let sandbox: QontoSandbox;
let redis: RedisServer;
/** `REDIS_ENCRYPTION_KEY` of every instance: what they keep in Redis is sealed with it. */
const ENCRYPTION_KEY = 'one-encryption-key-for-every-instance-of-the-app';

/** The test's own window on the Redis the instances share: their sessions and tokens, as any instance reads them. */
let inspect: AppStores;
const children: ChildProcess[] = [];

beforeAll(async () => {
  if (!existsSync(serverJs)) throw new Error('dist/server.js is missing: run pnpm build first (turbo does).');
  // The demo client accepts a callback on any loopback port, as `pnpm demo` does. Redis keeps its data across a
  // restart (append-only file), as a production one does.
  [sandbox, redis] = await Promise.all([
    startQontoSandbox({ demo: true }),
    startRedisServer({ appendonly: true }),
  ]);
  inspect = redisStores(redis.url, ENCRYPTION_KEY);
});
afterAll(async () => {
  await inspect?.close();
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

async function freePort(): Promise<number> {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/**
 * One instance of the built app, `pnpm start` as a deployment runs it, on Redis, pointed at `emulator`; resolves
 * with its origin.
 */
async function startInstance(emulator = sandbox): Promise<string> {
  // The free port is free when probed, not always when the instance listens (other suites run beside this one):
  // an instance that exits before listening is tried again on another port, twice at most.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startInstanceOn(await freePort(), emulator);
    } catch (error) {
      if (attempt >= 3) throw error;
    }
  }
}

async function startInstanceOn(port: number, emulator: QontoSandbox): Promise<string> {
  const env: Record<string, string | undefined> = {
    ...process.env,
    PORT: String(port),
    QONTO_SANDBOX_URL: emulator.url,
    REDIS_URL: redis.url,
    SESSION_SECRET: 'one-secret-for-every-instance',
    REDIS_ENCRYPTION_KEY: ENCRYPTION_KEY,
  };
  for (const name of Object.keys(env)) if (/^QONTO_(?!SANDBOX_URL)/.test(name)) delete env[name];
  const child = spawn(process.execPath, [serverJs], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  const origin = `http://localhost:${port}`;
  let output = '';
  child.stdout!.setEncoding('utf8');
  await new Promise<void>((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`the instance exited (${code}) before listening:\n${output}`)),
    );
    child.stdout!.on('data', (chunk: string) => {
      output += chunk;
      if (output.includes(origin)) resolve();
    });
  });
  expect(output).toContain(
    `Sessions, tokens and connections in Redis at 127.0.0.1:${redis.port}, tokens, connections and webhook secrets encrypted`,
  );
  return origin;
}

/**
 * Two instances of one deployment (one Qonto app, one session secret, one Redis), two processes on two ports, and
 * one browser: cookies ignore ports, so it carries the same session cookie to both, as behind a load balancer.
 */
async function startTwoInstances(
  emulator = sandbox,
): Promise<{ origins: [string, string]; browser: TestBrowser }> {
  const origins = await Promise.all([startInstance(emulator), startInstance(emulator)]);
  return { origins, browser: new TestBrowser() };
}

/** Runs `command` on the test's Redis with a client of its own. */
async function onRedis<T>(command: (client: Redis) => Promise<T>): Promise<T> {
  const client = new Redis(redis.url);
  try {
    return await command(client);
  } finally {
    client.disconnect();
  }
}

/** The one login in Redis (every instance reads the same): its tokens. */
async function onlyLogin() {
  const sessions = await storedSessions(inspect.sessionStore, inspect.tokenStore);
  expect(sessions).toHaveLength(1);
  expect(sessions[0]!.passport?.user).toBeDefined();
  return sessions[0]!.qonto!.tokens!;
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

describe('two instances of example-express-passport behind one Redis (REDIS_URL)', () => {
  it('serve a login made on one from the other, and refresh its expired token once between them', async () => {
    const { origins, browser } = await startTwoInstances();
    const user = singleOrganizationUser(sandbox);
    const signedIn = await signIn({ origin: origins[0], browser }, user);
    expect(signedIn.url).toBe(`${origins[0]}/account`);

    const onSecond = await browser.follow(`${origins[1]}/account`);
    expect(onSecond.url).toBe(`${origins[1]}/account`);
    expect(onSecond.body).toContain(user.organizations[0]!.legalName);

    // Qonto's clock moves past the access token's hour: both instances meet its 401 and refresh.
    const before = await onlyLogin();
    sandbox.clock.advance(HOUR + 60_000);
    expect(await worksAtQonto(before.accessToken)).toBe(false);
    sandbox.requests.clear();
    // Ten page loads at once, split between the instances, all with the expired access token.
    const pages = await Promise.all(
      Array.from({ length: 10 }, (_, i) => browser.follow(`${origins[i % 2]}/account`)),
    );
    for (const page of pages) {
      expect(page.status).toBe(200);
      expect(page.body).toContain(user.organizations[0]!.legalName);
    }
    expect(tokenRequests()).toBe(1);

    const after = await onlyLogin();
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(await worksAtQonto(after.accessToken)).toBe(true);
    // Each instance now reads the rotated set from Redis: no second refresh on either.
    for (const origin of origins) expect((await browser.follow(`${origin}/account`)).status).toBe(200);
    expect(tokenRequests()).toBe(1);
  });

  it.each([
    [0, 'the instance it was made on'],
    [1, 'the other instance'],
  ])('end a login on both when it is disconnected on instance %i (%s)', async (index) => {
    const { origins, browser } = await startTwoInstances();
    await signIn({ origin: origins[0], browser }, singleOrganizationUser(sandbox));
    const { accessToken } = await onlyLogin();
    expect((await browser.follow(`${origins[1]}/account`)).url).toBe(`${origins[1]}/account`);

    const disconnecting = origins[index]!;
    const page = await browser.follow(`${disconnecting}/disconnect`, {
      method: 'POST',
      headers: { Origin: disconnecting },
    });
    expect(page.url).toBe(`${disconnecting}/?disconnected=1`);

    for (const origin of origins) {
      expect((await browser.follow(`${origin}/account`)).url).toBe(`${origin}/`);
    }
    // Nothing of the login left in Redis (session, tokens), and the consent revoked at Qonto.
    expect(await onRedis((client) => client.keys('*'))).toEqual([]);
    expect(await worksAtQonto(accessToken)).toBe(false);
  });

  it("share a demo account's connected organizations, and a revocation delivered to either", async () => {
    // An emulator of its own, whose clock the other tests have not moved: the instances check a delivery's
    // signature time against their own clock (5 minutes at most apart).
    const emulator = await startQontoSandbox({ demo: true });
    onTestFinished(() => emulator.close());
    const { origins, browser } = await startTwoInstances(emulator);
    const [alice] = DEMO_ACCOUNTS;
    const member = singleOrganizationUser(emulator);
    const organization = member.organizations[0]!;
    expect((await signInToProduct({ origin: origins[0], browser }, alice!)).status).toBe(303);
    const { page } = await connectOrganization({ origin: origins[0], browser }, member, organization.id);
    expect(page.body).toContain(`Connected ${organization.legalName}.`);

    const state = async (origin: string) =>
      (await browser.follow(`${origin}/settings`)).body.match(/<span class="status ([a-z_]+)">/)?.[1];
    expect(await state(origins[1])).toBe('active');
    expect((await browser.follow(`${origins[1]}/organizations/${organization.id}/transactions`)).status).toBe(
      200,
    );

    // The webhook secret is sealed in Redis with REDIS_ENCRYPTION_KEY, like the tokens and the connection; only an
    // instance with the key reads it.
    const subscription = await inspect.webhookSubscriptions.forOrganization(organization.id);
    expect(subscription?.secret).toMatch(/^.{32,}$/);
    const key = `example-express-passport:product:webhook-subscription:id:${subscription!.id}`;
    const stored = await onRedis((client) => client.get(key));
    expect(stored).toMatch(/^enc:v1:[\w-]+$/);
    expect(stored).not.toContain(subscription!.secret);
    const withoutKey = await onRedis((client) =>
      new RedisWebhookSubscriptionStore(client, 'example-express-passport:product:')
        .get(subscription!.id)
        .catch((e: unknown) => e),
    );
    expect(String(withoutKey)).toMatch(
      /cannot be read with this REDIS_ENCRYPTION_KEY: give every instance the/,
    );

    // The subscription names the first instance's URL; the second reads the result from Redis.
    const deliveries = await emulator.revokeConsent({
      clientId: DEMO_CLIENT_ID,
      organizationId: organization.id,
      email: member.email,
    });
    expect(deliveries.map((d) => [d.callbackUrl, d.state])).toEqual([
      [`${origins[0]}/webhooks/qonto`, 'delivered'],
    ]);
    await expect.poll(() => state(origins[1]), { timeout: 20_000 }).toBe('revoked');
    expect(await state(origins[0])).toBe('revoked');
  });

  it('answer with the error page while Redis is down, and serve the same login once it is back', async () => {
    const { origins, browser } = await startTwoInstances();
    await signIn({ origin: origins[0]!, browser }, singleOrganizationUser(sandbox));
    const { accessToken, refreshToken } = await onlyLogin();

    await redis.stop();
    for (const origin of origins) {
      const page = await browser.follow(`${origin}/account`);
      expect(page.status).toBe(500);
      expect(page.body).toContain('An unexpected error occurred');
      for (const secret of [accessToken, refreshToken!]) expect(page.body).not.toContain(secret);
    }

    await redis.start();
    for (const origin of origins) {
      const page = await browser.follow(`${origin}/account`);
      expect(page.url).toBe(`${origin}/account`);
      expect(page.status).toBe(200);
    }
    expect((await onlyLogin()).refreshToken).toBe(refreshToken);
  });
});
