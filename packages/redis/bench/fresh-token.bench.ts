/**
 * What Redis costs per call: `getAccessToken()` on a fresh access token (no refresh due), a manager over a
 * RedisTokenStore against one over core's MemoryTokenStore. RUNS interleaved runs (the order alternates, so the
 * machine's load weighs on both alike) of CALLS sequential calls each; prints the median and p99 of every call's
 * time, per store, and their ratio. Run: pnpm --filter @qonto-oauth/redis bench (after a build).
 */
import { MemoryTokenStore, QontoTokenManager, type TokenStore } from '@qonto-oauth/core';
import { RedisTokenStore } from '@qonto-oauth/redis';
import { startRedisServer } from '@qonto-oauth/redis/testing';
import { expect, it } from 'vitest';
import { startQonto } from '../test/helpers/qonto.js';

const RUNS = Number(process.env.RUNS ?? 20);
const CALLS = Number(process.env.CALLS ?? 500);

/** The value at quantile `q` of sorted `values` (nearest rank). */
function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

it(`getAccessToken() on a fresh token: RedisTokenStore against MemoryTokenStore, ${RUNS} × ${CALLS} calls`, async () => {
  const [qonto, redis] = await Promise.all([startQonto(), startRedisServer()]);
  const redisStore = new RedisTokenStore({ url: redis.url });
  try {
    const expired = await qonto.connectExpired();
    // A set with an hour ahead: no call refreshes, each one only reads the store.
    const tokens = { ...expired, expiresAt: Date.now() + 3600_000 };
    const stores: Record<string, TokenStore> = {
      MemoryTokenStore: new MemoryTokenStore(),
      RedisTokenStore: redisStore,
    };
    const managers = Object.fromEntries(
      await Promise.all(
        Object.entries(stores).map(async ([name, store]) => {
          await store.set('bench', tokens);
          return [name, new QontoTokenManager({ client: qonto.oauth, tokens, store, key: 'bench' })] as const;
        }),
      ),
    );
    const names = Object.keys(managers);
    const times: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
    // Warm-up: connections, JIT.
    for (const name of names) for (let i = 0; i < 100; i += 1) await managers[name]!.getAccessToken();
    qonto.clearRequests();
    for (let run = 0; run < RUNS; run += 1) {
      for (const name of run % 2 === 0 ? names : [...names].reverse()) {
        const manager = managers[name]!;
        for (let i = 0; i < CALLS; i += 1) {
          const started = performance.now();
          const accessToken = await manager.getAccessToken();
          times[name]!.push(performance.now() - started);
          if (accessToken !== tokens.accessToken) throw new Error(`${name} handed out another token`);
        }
      }
    }
    const figures = Object.fromEntries(
      names.map((name) => {
        const sorted = [...times[name]!].sort((a, b) => a - b);
        return [name, { median: quantile(sorted, 0.5), p99: quantile(sorted, 0.99) }];
      }),
    );
    const micro = (ms: number) => `${(ms * 1000).toFixed(ms < 0.01 ? 1 : 0)} µs`;
    for (const name of names) {
      console.log(
        `${name}: getAccessToken() on a fresh token, ${RUNS} interleaved runs × ${CALLS} calls → median ` +
          `${micro(figures[name]!.median)}, p99 ${micro(figures[name]!.p99)}`,
      );
    }
    const { MemoryTokenStore: memory, RedisTokenStore: shared } = figures;
    console.log(
      `RedisTokenStore / MemoryTokenStore: median ×${(shared!.median / memory!.median).toFixed(0)} ` +
        `(+${micro(shared!.median - memory!.median)} a call), p99 ×${(shared!.p99 / memory!.p99).toFixed(0)} ` +
        `(+${micro(shared!.p99 - memory!.p99)})`,
    );
    expect(qonto.refreshRequests()).toBe(0);
  } finally {
    await redisStore.close();
    await Promise.all([qonto.close(), redis.close()]);
  }
});
