import { RedisTokenStore } from '@qonto-oauth/redis';
import { type RedisServer, startRedisServer } from '@qonto-oauth/redis/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type QontoFixture, startQonto } from './helpers/qonto.js';
import { type CallResult, startWorkers, type Worker } from './helpers/workers.js';

let qonto: QontoFixture;
let redis: RedisServer;
/** The test's own view of the shared Redis (the workers each have theirs). */
let store: RedisTokenStore;
let workers: Worker[] = [];
let key = '';
let connections = 0;

beforeAll(async () => {
  [qonto, redis] = await Promise.all([startQonto(), startRedisServer({ appendonly: true })]);
  store = new RedisTokenStore({ url: redis.url });
});

afterAll(async () => {
  await store?.close();
  await Promise.all([qonto?.close(), redis?.close()]);
});

beforeEach(async () => {
  await Promise.all(workers.map((w) => w.kill()));
  workers = [];
  qonto.sandbox.faults.reset();
  connections += 1;
  key = `organization-${connections}`;
});

/** A connection whose access token has expired, stored under `key`; the emulator's request log then cleared. */
async function expiredConnection() {
  const tokens = await qonto.connectExpired();
  await store.set(key, tokens);
  qonto.clearRequests();
  return tokens;
}

const accessTokens = (results: CallResult[]) =>
  results.map((r) => r.accessToken ?? `error: ${r.error?.message}`);

describe('RedisTokenStore shared by several processes', () => {
  it('4 processes × 250 concurrent getAccessToken() on one expired connection: one refresh, one new token for all', async () => {
    const tokens = await expiredConnection();
    workers = await startWorkers(4, qonto.workerConfig({ redisUrl: redis.url }));
    const results = (
      await Promise.all(
        workers.map((w) => w.run({ mode: 'manager', callsPerTarget: 250, targets: [{ key, tokens }] })),
      )
    ).flat();

    expect(results).toHaveLength(1000);
    expect(qonto.refreshRequests()).toBe(1);
    const distinct = new Set(accessTokens(results));
    expect(distinct.size).toBe(1);
    const [fresh] = [...distinct];
    expect(fresh).not.toBe(tokens.accessToken);
    expect(await qonto.works(fresh!)).toBe(true);
    // Saved before anyone got it, with the rotated refresh token.
    const stored = await store.get(key);
    expect(stored?.accessToken).toBe(fresh);
    expect(stored?.refreshToken).not.toBe(tokens.refreshToken);
  });

  it('gives a process still holding the replaced refresh token, inside the 60 s grace, the rotation another made', async () => {
    // Apps with no connection key (JWT sessions): two instances receive the same old cookie one after the other.
    const tokens = await expiredConnection();
    const [first, second] = await startWorkers(2, qonto.workerConfig({ redisUrl: redis.url }));
    workers = [first!, second!];
    const target = { refreshToken: tokens.refreshToken! };
    const before = await first!.run({ mode: 'session', callsPerTarget: 50, targets: [target] });
    const after = await second!.run({ mode: 'session', callsPerTarget: 50, targets: [target] });

    expect(qonto.refreshRequests()).toBe(1);
    expect(new Set(accessTokens([...before, ...after])).size).toBe(1);
    expect(await qonto.works(before[0]!.accessToken!)).toBe(true);
  });

  it('lets another process refresh once the lease of a holder killed mid-refresh (kill -9) runs out', async () => {
    const tokens = await expiredConnection();
    const config = { ...qonto.workerConfig({ redisUrl: redis.url }), lockLeaseMs: 2000 };
    const [holder, next] = await startWorkers(2, config);
    workers = [holder!, next!];
    qonto.sandbox.faults.latency(5000);
    const holderOutcome = holder!.start({ mode: 'manager', callsPerTarget: 10, targets: [{ key, tokens }] });
    holderOutcome.catch(() => {});
    await waitFor(() => qonto.refreshRequests() === 1);
    // The holder has the lock and its refresh is at the emulator: the other process queues behind it.
    const nextOutcome = next!.run({ mode: 'manager', callsPerTarget: 100, targets: [{ key, tokens }] });
    await holder!.kill('SIGKILL');
    qonto.sandbox.faults.latency(0);

    const results = await nextOutcome;
    const distinct = new Set(accessTokens(results));
    expect(distinct.size).toBe(1);
    const [fresh] = [...distinct];
    expect(await qonto.works(fresh!)).toBe(true);
    expect((await store.get(key))?.accessToken).toBe(fresh);
    // The dead holder's request and the takeover's: the replaced token was still inside Qonto's grace.
    expect(qonto.refreshRequests()).toBe(2);
  });

  it('gives every caller of every process the refusal of a dead refresh token, and the next call tries again', async () => {
    const tokens = { ...(await expiredConnection()), refreshToken: 'ory_rt_revoked-long-ago' };
    await store.set(key, tokens);
    workers = await startWorkers(3, qonto.workerConfig({ redisUrl: redis.url }));
    // A slow answer, so that every process is waiting on the one refresh when Qonto refuses it.
    qonto.sandbox.faults.latency(3000);
    const command = { mode: 'manager' as const, callsPerTarget: 50, targets: [{ key, tokens }] };
    const results = (await Promise.all(workers.map((w) => w.run(command)))).flat();

    expect(qonto.refreshRequests()).toBe(1);
    expect(new Set(results.map((r) => JSON.stringify(r.error)))).toEqual(
      new Set([JSON.stringify(results[0]!.error)]),
    );
    expect(results[0]!.error).toMatchObject({
      name: 'QontoOAuthError',
      code: 'oauth',
      error: 'invalid_grant',
      reconnectRequired: true,
    });
    expect(JSON.stringify(results)).not.toContain(tokens.refreshToken);

    await workers[0]!.run(command);
    expect(qonto.refreshRequests()).toBe(2);
  });

  it('gives every waiting process the failure of a refresh Qonto could not serve, and the next call refreshes', async () => {
    const tokens = await expiredConnection();
    workers = await startWorkers(3, qonto.workerConfig({ redisUrl: redis.url }));
    qonto.sandbox.faults.latency(3000);
    qonto.sandbox.faults.failNext('POST /oauth2/token', 503);
    const command = { mode: 'manager' as const, callsPerTarget: 50, targets: [{ key, tokens }] };
    const failed = (await Promise.all(workers.map((w) => w.run(command)))).flat();
    expect(qonto.refreshRequests()).toBe(1);
    expect(failed.every((r) => r.error?.error === 'temporarily_unavailable')).toBe(true);
    expect((await store.get(key))?.accessToken).toBe(tokens.accessToken);

    qonto.sandbox.faults.latency(0);
    const next = (await Promise.all(workers.map((w) => w.run(command)))).flat();
    expect(new Set(accessTokens(next)).size).toBe(1);
    expect(qonto.refreshRequests()).toBe(2);
  });

  it('keeps the connection across a Redis restart (appendonly), failing calls meanwhile with a typed error', async () => {
    const tokens = await expiredConnection();
    workers = await startWorkers(2, qonto.workerConfig({ redisUrl: redis.url }));
    const command = { mode: 'manager' as const, callsPerTarget: 20, targets: [{ key, tokens }] };
    const first = (await Promise.all(workers.map((w) => w.run(command)))).flat();
    const [fresh] = new Set(accessTokens(first));
    expect(qonto.refreshRequests()).toBe(1);

    await redis.stop();
    const down = (await Promise.all(workers.map((w) => w.run(command)))).flat();
    for (const { error } of down) {
      expect(error).toMatchObject({
        name: 'QontoTokenStoreError',
        code: 'token_store',
        key,
        reconnectRequired: false,
      });
      expect(error!.message).toContain(`Redis at 127.0.0.1:${redis.port}`);
      expect(error!.message).toContain(`connection "${key}"`);
      expect(error!.message).not.toContain(tokens.refreshToken);
    }

    await redis.start();
    const back = await waitForResults(() => Promise.all(workers.map((w) => w.run(command))));
    expect(new Set(accessTokens(back))).toEqual(new Set([fresh]));
    expect(qonto.refreshRequests()).toBe(1);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the condition');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Retries until every call succeeds: the workers' clients reconnect to the restarted Redis on their own schedule. */
async function waitForResults(run: () => Promise<CallResult[][]>): Promise<CallResult[]> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const results = (await run()).flat();
    if (results.every((r) => r.accessToken !== undefined) || Date.now() > deadline) return results;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
