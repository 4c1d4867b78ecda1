/**
 * The refresh storm: PROCESSES app processes × CALLERS concurrent getAccessToken() on one expired connection,
 * with a RedisTokenStore shared by them and, as the baseline, with each process's own MemoryTokenStore. Prints
 * the refreshes the emulator received and the time from the calls to the last answer (median of ROUNDS).
 * Run: pnpm --filter @qonto-oauth/redis bench (after a build).
 */
import { RedisTokenStore } from '@qonto-oauth/redis';
import { startRedisServer } from '@qonto-oauth/redis/testing';
import { expect, it } from 'vitest';
import { startQonto } from '../test/helpers/qonto.js';
import { startWorkers } from '../test/helpers/workers.js';

const PROCESSES = Number(process.env.PROCESSES ?? 4);
const CALLERS = Number(process.env.CALLERS ?? 250);
const ROUNDS = Number(process.env.ROUNDS ?? 5);

it(`${PROCESSES} processes × ${CALLERS} callers on one expired connection`, async () => {
  const [qonto, redis] = await Promise.all([startQonto(), startRedisServer()]);
  const store = new RedisTokenStore({ url: redis.url });
  const workers = await startWorkers(PROCESSES, qonto.workerConfig({ redisUrl: redis.url }));
  const figures: Record<string, { refreshes: number[]; distinctTokens: number[]; ms: number[] }> = {};
  try {
    for (const mode of ['manager', 'local'] as const) {
      const figure = { refreshes: [] as number[], distinctTokens: [] as number[], ms: [] as number[] };
      figures[mode === 'manager' ? 'RedisTokenStore' : 'MemoryTokenStore per process'] = figure;
      for (let round = 0; round < ROUNDS; round += 1) {
        const key = `${mode}-${round}`;
        const tokens = await qonto.connectExpired();
        await store.set(key, tokens);
        qonto.clearRequests();
        const started = performance.now();
        const results = (
          await Promise.all(
            workers.map((w) => w.run({ mode, callsPerTarget: CALLERS, targets: [{ key, tokens }] })),
          )
        ).flat();
        figure.ms.push(Math.round(performance.now() - started));
        figure.refreshes.push(qonto.refreshRequests());
        figure.distinctTokens.push(new Set(results.map((r) => r.accessToken ?? 'error')).size);
      }
    }
  } finally {
    await Promise.all(workers.map((w) => w.close()));
    await store.close();
    await Promise.all([qonto.close(), redis.close()]);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  for (const [name, f] of Object.entries(figures)) {
    console.log(
      `${name}: ${PROCESSES} × ${CALLERS} callers → refreshes per round ${f.refreshes.join(', ')}; distinct ` +
        `tokens ${f.distinctTokens.join(', ')}; last answer after ${f.ms.join(', ')} ms (median ${median(f.ms)} ms)`,
    );
  }
  expect(figures.RedisTokenStore!.refreshes.every((n) => n === 1)).toBe(true);
});
