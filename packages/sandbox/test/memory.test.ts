import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REQUEST_LOG_SIZE } from '../src/limits.js';

const MB = 1024 * 1024;

describe('memory', () => {
  it('stays flat over 40,000 requests: flows, sessions, codes, tokens and the request log are forgotten in time', async () => {
    // Its own process with --expose-gc, so the heap is measured after full collections and nothing else runs in it.
    const probe = join(import.meta.dirname, 'fixtures', 'heap-probe.mjs');
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', probe, '40000'], {
      timeout: 590_000,
    });
    const { before, after, requests, logged } = JSON.parse(stdout) as {
      before: number;
      after: number;
      requests: number;
      logged: number;
    };
    expect(requests).toBeGreaterThanOrEqual(40_000);
    expect(logged).toBe(REQUEST_LOG_SIZE);
    expect((after - before) / MB).toBeLessThan(3);
  }, 600_000);
});
