import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REQUEST_LOG_SIZE } from '../src/limits.js';

/**
 * Enough requests to see a leak of 75 bytes each (1.2 MB); a full GC leaves ~0.3 MB of noise that does not grow
 * with the count. The emulator before issue 15 leaked ~750 bytes per request.
 */
const REQUESTS = 16_000;
const BOUND_BYTES = REQUESTS * 75;

describe('memory', () => {
  it('stays flat over 16,000 requests: flows, sessions, codes, tokens and the request log are forgotten in time', async () => {
    // Its own process with --expose-gc, so the heap is measured after full collections and nothing else runs in it.
    const probe = join(import.meta.dirname, 'fixtures', 'heap-probe.mjs');
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', probe, String(REQUESTS)], {
      timeout: 590_000,
    });
    const { before, after, requests, logged } = JSON.parse(stdout) as {
      before: number;
      after: number;
      requests: number;
      logged: number;
    };
    expect(requests).toBeGreaterThanOrEqual(REQUESTS);
    expect(logged).toBe(REQUEST_LOG_SIZE);
    expect(after - before).toBeLessThan(BOUND_BYTES);
  }, 600_000);
});
