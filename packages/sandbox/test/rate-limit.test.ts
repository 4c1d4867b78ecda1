import { request } from 'node:http';
import { QontoRateLimitError } from '@qonto-oauth/core';
import { describe, expect, it } from 'vitest';
import { QONTO_RATE_LIMITS } from '../src/index.js';
import { resolveRateLimits } from '../src/rate-limit.js';
import type { QontoSandbox } from '../src/types.js';
import { apiGet, connectThroughCore, startSandbox } from './helpers.js';

/** A Business API GET from another loopback address (Linux routes all of 127.0.0.0/8 to lo). */
function getFrom(sandbox: QontoSandbox, localAddress: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${sandbox.url}${path}`, {
      localAddress,
      headers: { 'X-Qonto-Staging-Token': sandbox.stagingToken },
    });
    req.on('response', (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('rate limit', () => {
  it('answers 429 with a JSON:API error once the window is full, which core turns into QontoRateLimitError', async () => {
    const sandbox = await startSandbox({ rateLimit: { requests: 3, windowMs: 10_000 } });
    const { api } = await connectThroughCore(sandbox, { retry: false });
    // connectThroughCore made no API request: three fit, the fourth does not.
    for (let i = 0; i < 3; i++) await api.getMembership();
    const error = await api.getMembership().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QontoRateLimitError);
    const limited = error as QontoRateLimitError;
    expect(limited.status).toBe(429);
    // Qonto documents no Retry-After, so the emulator sends none.
    expect(limited.retryAfterSeconds).toBeUndefined();
    expect(limited.errors[0]).toMatchObject({
      code: 'too_many_requests',
      detail: expect.stringContaining('at most 3 per 10 s per IP address'),
    });
    // The window slides with the emulator's clock.
    sandbox.clock.advance(10_000);
    expect((await api.getMembership()).id).toBeTruthy();
  });

  it('counts refused requests too, but not the OAuth endpoints', async () => {
    const sandbox = await startSandbox({ rateLimit: { requests: 2, windowMs: 1_000 } });
    expect((await apiGet(sandbox, '/v2/organization', 'unknown')).status).toBe(401);
    expect((await apiGet(sandbox, '/v2/organization', 'unknown')).status).toBe(401);
    const limited = await apiGet(sandbox, '/v2/organization', 'unknown');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBeNull();
    // The token endpoint (Qonto's other host) is not limited: it still answers its own error.
    const token = await fetch(sandbox.endpoints.tokenUrl, {
      method: 'POST',
      headers: {
        'X-Qonto-Staging-Token': sandbox.stagingToken,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=refresh_token',
    });
    expect(token.status).toBe(401);
  });

  it('counts each client address on its own', async () => {
    const sandbox = await startSandbox({ rateLimit: { requests: 1, windowMs: 60_000 } });
    expect(await getFrom(sandbox, '127.0.0.1', '/v2/organization')).toBe(401);
    expect(await getFrom(sandbox, '127.0.0.1', '/v2/organization')).toBe(429);
    expect(await getFrom(sandbox, '127.0.0.2', '/v2/organization')).toBe(401);
  });

  it("has Qonto's documented limits by default, and none with rateLimit: false", async () => {
    expect(QONTO_RATE_LIMITS).toEqual([
      { requests: 1000, windowMs: 10_000 },
      { requests: 10_000, windowMs: 600_000 },
    ]);
    expect(resolveRateLimits(undefined)).toEqual(QONTO_RATE_LIMITS);
    expect(resolveRateLimits({ requests: 5, windowMs: 100 })).toEqual([{ requests: 5, windowMs: 100 }]);
    const sandbox = await startSandbox({ rateLimit: false });
    for (let i = 0; i < 5; i++) expect((await apiGet(sandbox, '/v2/organization', 'x')).status).toBe(401);
    await expect(startSandbox({ rateLimit: { requests: 0, windowMs: 1 } })).rejects.toThrow(
      /rateLimit must be/,
    );
  });
});
