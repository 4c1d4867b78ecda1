import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import {
  QontoApiClient,
  QontoApiError,
  QontoOAuthError,
  QontoRateLimitError,
  QontoStagingGateError,
} from '@qonto-oauth/core';
import { describe, expect, it } from 'vitest';
import type { QontoSandbox } from '../src/types.js';
import { apiGet, connectThroughCore, startSandbox } from './helpers.js';

function count(sandbox: QontoSandbox, method: string, path: string): number {
  return sandbox.requests.filter((r) => r.method === method && r.path === path).length;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await sleep(5);
}

describe('faults.latency', () => {
  it('delays every later answer by the given time of the emulator clock, until reset', async () => {
    const sandbox = await startSandbox();
    const { api } = await connectThroughCore(sandbox);
    sandbox.faults.latency(50);
    for (let i = 0; i < 2; i++) {
      const before = sandbox.clock.now();
      await api.getOrganization();
      expect(sandbox.clock.now() - before).toBeGreaterThanOrEqual(50);
    }
    sandbox.faults.reset();
    await api.getOrganization();
  });

  it('answers at once when clock.advance moves the emulator clock past the latency', async () => {
    const sandbox = await startSandbox();
    sandbox.faults.latency(60_000);
    const answer = apiGet(sandbox, '/v2/organization', 'x').then((r) => r.status);
    await until(() => count(sandbox, 'GET', '/v2/organization') === 1);
    sandbox.clock.advance(30_000);
    expect(await Promise.race([answer, sleep(100).then(() => 'still waiting')])).toBe('still waiting');
    sandbox.clock.advance(30_000);
    expect(await answer).toBe(401);
  }, 10_000);

  it('ends the waits when the emulator closes: the test process exits at once', async () => {
    const dist = join(import.meta.dirname, '../dist/index.js');
    if (!existsSync(dist))
      throw new Error(`${dist} is missing: run \`pnpm --filter @qonto-oauth/sandbox build\` first.`);
    // A process of its own, as a user's test runner is: it must end once its test closed the emulator.
    const script = `
      import { startQontoSandbox } from ${JSON.stringify(pathToFileURL(dist).href)};
      const sandbox = await startQontoSandbox();
      sandbox.faults.latency(60_000);
      const answer = fetch(sandbox.url + '/v2/organization').then((r) => r.status, () => 'dropped');
      while (sandbox.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      await sandbox.close();
      console.log(await answer);`;
    const started = Date.now();
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      timeout: 20_000,
    });
    expect(stdout.trim()).toBe('dropped');
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('drops the request of a client that gave up waiting: it does not use an injected failure', async () => {
    const sandbox = await startSandbox();
    sandbox.faults.latency(300);
    sandbox.faults.failNext('GET /v2/organization', 503);
    const giveUp = new AbortController();
    const gaveUp = fetch(`${sandbox.url}/v2/organization`, { signal: giveUp.signal });
    // Given up once the emulator holds it (recorded on arrival), as a client's timeout would.
    while (!sandbox.requests.some((r) => r.path === '/v2/organization')) await sleep(5);
    giveUp.abort();
    await expect(gaveUp).rejects.toThrow();
    sandbox.faults.latency(0);
    await sleep(500); // past the 300 ms the abandoned request would have waited
    expect((await apiGet(sandbox, '/v2/organization', 'x')).status).toBe(503);
  });

  it('refuses a negative or non-finite latency', async () => {
    const sandbox = await startSandbox();
    expect(() => sandbox.faults.latency(-1)).toThrow(/milliseconds >= 0/);
    expect(() => sandbox.faults.latency(Number.NaN)).toThrow(TypeError);
  });
});

describe('faults.failNext', () => {
  it("answers a route's next requests with the status, which core retries until it succeeds", async () => {
    const sandbox = await startSandbox();
    const { api } = await connectThroughCore(sandbox, { retry: { retries: 2, maxDelayMs: 5 } });
    sandbox.faults.failNext('GET /v2/organization', 503, { count: 2 });
    sandbox.requests.clear();
    const organization = await api.getOrganization();
    expect(organization.id).toBe(sandbox.users[1]!.organizations[0]!.id);
    expect(count(sandbox, 'GET', '/v2/organization')).toBe(3);
    // Spent: the next request goes through at once.
    await api.getOrganization();
    expect(count(sandbox, 'GET', '/v2/organization')).toBe(4);
  });

  it('sends Retry-After when asked; a 429 asking for longer than core waits reaches the caller with it', async () => {
    const sandbox = await startSandbox();
    // Retry-After: 7 is beyond maxDelayMs: core does not retry sooner than asked, and hands the 429 over at once.
    const { api } = await connectThroughCore(sandbox, { retry: { retries: 2, maxDelayMs: 5 } });
    sandbox.faults.failNext('GET /v2/membership', 429, { retryAfter: 7 });
    sandbox.requests.clear();
    const error = await api.getMembership().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QontoRateLimitError);
    expect(error).toMatchObject({
      status: 429,
      retryAfterSeconds: 7,
      errors: [{ code: 'too_many_requests' }],
    });
    expect(count(sandbox, 'GET', '/v2/membership')).toBe(1);

    const raw = await apiGet(sandbox, '/v2/membership', 'ory_at_any');
    expect(raw.status).toBe(401);
    sandbox.faults.failNext('GET /v2/membership', 429, { retryAfter: 2 });
    const injected = await apiGet(sandbox, '/v2/membership', 'ory_at_any');
    expect(injected.status).toBe(429);
    expect(injected.headers.get('retry-after')).toBe('2');
    expect(await injected.json()).toEqual({
      errors: [
        { code: 'too_many_requests', detail: expect.stringContaining("failNext('GET /v2/membership', 429)") },
      ],
      trace_id: injected.headers.get('x-tyk-trace-id'),
    });
  });

  it('answers without Retry-After by default, and core backs off on its own', async () => {
    const sandbox = await startSandbox();
    const { api } = await connectThroughCore(sandbox, { retry: { retries: 1, maxDelayMs: 5 } });
    sandbox.faults.failNext('GET /v2/bank_accounts', 500, { count: 2 });
    sandbox.requests.clear();
    const error = await api.get('/v2/bank_accounts').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QontoApiError);
    expect(error).toMatchObject({ status: 500, errors: [{ code: 'internal_server_error' }] });
    expect(count(sandbox, 'GET', '/v2/bank_accounts')).toBe(2);
    const after = await apiGet(sandbox, '/v2/bank_accounts', 'ory_at_any');
    expect(after.headers.get('retry-after')).toBeNull();
  });

  it('answers the token endpoint in the RFC 6749 shape; core never retries the token POST', async () => {
    const sandbox = await startSandbox();
    const { oauth, tokens } = await connectThroughCore(sandbox);
    sandbox.faults.failNext('POST /oauth2/token', 503, { retryAfter: 1 });
    sandbox.requests.clear();
    const error = await oauth.refresh(tokens.refreshToken!).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QontoOAuthError);
    expect(error).toMatchObject({ error: 'temporarily_unavailable', status: 503 });
    expect(count(sandbox, 'POST', '/oauth2/token')).toBe(1);
    // The failure was injected before the grant was looked at: the refresh token still works.
    expect((await oauth.refresh(tokens.refreshToken!)).accessToken).toMatch(/^ory_at_/);
  });

  it('queues failures in call order and forgets them on reset', async () => {
    const sandbox = await startSandbox();
    sandbox.faults.failNext('get /v2/organization', 502);
    sandbox.faults.failNext('GET /v2/organization', 504);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await apiGet(sandbox, '/v2/organization', 'x')).status);
    expect(statuses).toEqual([502, 504, 401]);
    sandbox.faults.failNext('GET /v2/organization', 500, { count: 5 });
    sandbox.faults.reset();
    expect((await apiGet(sandbox, '/v2/organization', 'x')).status).toBe(401);
  });

  it.each([
    [['/v2/organization', 500], /'METHOD \/path'/],
    [['GET /v2/organization', 302], /400 to 599/],
    [['GET /v2/organization', 500, { count: 0 }], /count/],
    [['GET /v2/organization', 500, { retryAfter: -1 }], /retryAfter/],
    [
      ['GET /v2/organization?x=1', 503],
      /without a query string.*use 'GET \/v2\/organization', not "GET \/v2\/organization\?x=1"/,
    ],
    [['GET /v2/transactions#top', 503], /use 'GET \/v2\/transactions'/],
  ] as const)('refuses bad arguments %j', async (args, message) => {
    const sandbox = await startSandbox();
    expect(() => (sandbox.faults.failNext as (...a: unknown[]) => void)(...args)).toThrow(message);
  });
});

describe('faults.gate', () => {
  it('switches the staging gate between a 302 and an HTML 200 at run time; reset restores the start option', async () => {
    const sandbox = await startSandbox();
    const { tokens } = await connectThroughCore(sandbox);
    // A client whose staging token is wrong meets the gate.
    const wrong = new QontoApiClient({
      environment: sandbox.endpoints,
      stagingToken: 'not-the-staging-token',
      tokens: tokens.accessToken,
    });
    const gateOf = () => wrong.getOrganization().catch((e: unknown) => e as QontoStagingGateError);

    const redirect = await gateOf();
    expect(redirect).toBeInstanceOf(QontoStagingGateError);
    expect(redirect).toMatchObject({ status: 302, locationHost: 'qonto.onelogin.com' });
    sandbox.faults.gate('html');
    expect(await gateOf()).toMatchObject({ status: 200, locationHost: undefined });
    sandbox.faults.reset();
    expect(await gateOf()).toMatchObject({ status: 302 });
    expect(() => sandbox.faults.gate('json' as 'html')).toThrow(/'redirect' or 'html'/);
  });
});
