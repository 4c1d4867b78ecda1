import { describe, expect, it } from 'vitest';
import { apiGet, connectRaw, startSandbox } from './helpers.js';

const TRACE = /^[0-9a-f]{32}$/;

describe("errors in Qonto's shape", () => {
  it("answers a path it does not route with the gateway's plain-text 404 and its trace header, whatever the token", async () => {
    const sandbox = await startSandbox();
    const { get } = await connectRaw(sandbox);
    for (const path of ['/v2/organizations', '/v2/nothing/here']) {
      const routed = await get(path);
      expect(routed.status).toBe(404);
      expect(routed.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect(routed.text).toBe('404 page not found\n');
      expect(routed.headers.get('x-tyk-trace-id')).toMatch(TRACE);
    }
    // No token at all: still the gateway's 404, not a 401.
    const anonymous = await apiGet(sandbox, '/v2/organizations', 'not-a-token');
    expect(anonymous.status).toBe(404);
    expect(await anonymous.text()).toBe('404 page not found\n');
    // The staging gate still comes first.
    const gated = await fetch(`${sandbox.url}/v2/organizations`, { redirect: 'manual' });
    expect(gated.status).toBe(302);
  });

  it('puts the trace id in every JSON:API error body and in the trace header of every API answer', async () => {
    const sandbox = await startSandbox();
    const { get } = await connectRaw(sandbox);
    const ok = await get('/v2/organization');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-tyk-trace-id')).toMatch(TRACE);
    const unauthorized = await apiGet(sandbox, '/v2/organization', 'ory_at_unknown');
    const body = (await unauthorized.json()) as { trace_id: string; errors: unknown[] };
    expect(unauthorized.status).toBe(401);
    expect(body.trace_id).toMatch(TRACE);
    expect(unauthorized.headers.get('x-tyk-trace-id')).toBe(body.trace_id);
    expect(body.trace_id).not.toBe(ok.headers.get('x-tyk-trace-id'));
  });

  it('draws trace ids from the seed: the same seed and requests give the same ids, another seed others', async () => {
    const traces = async (seed: number) => {
      const sandbox = await startSandbox({ seed });
      const ids = [];
      for (let i = 0; i < 3; i++) {
        ids.push((await apiGet(sandbox, '/v2/organization', 'x')).headers.get('x-tyk-trace-id'));
      }
      return ids;
    };
    const first = await traces(5);
    expect(new Set(first).size).toBe(3);
    expect(await traces(5)).toEqual(first);
    expect(await traces(6)).not.toEqual(first);
  });
});

describe('faults.throttleUnauthorized', () => {
  it('answers 429 to an address with more 401s than allowed in the window, until the window slides past them', async () => {
    const sandbox = await startSandbox({ rateLimit: false });
    sandbox.faults.throttleUnauthorized({ after: 3, windowMs: 60_000 });
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await apiGet(sandbox, '/v2/organization', 'bad')).status);
    expect(statuses).toEqual([401, 401, 401, 401, 429]);
    const throttled = await apiGet(sandbox, '/v2/organization', 'bad');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBeNull();
    expect(((await throttled.json()) as { errors: { detail: string }[] }).errors[0]!.detail).toContain(
      'more than 3 answers with status 401',
    );
    sandbox.clock.advance(60_000);
    expect((await apiGet(sandbox, '/v2/organization', 'bad')).status).toBe(401);
    sandbox.faults.reset();
    for (let i = 0; i < 5; i++) expect((await apiGet(sandbox, '/v2/organization', 'bad')).status).toBe(401);
  });

  it('is off by default and refuses bad options', async () => {
    const sandbox = await startSandbox({ rateLimit: false });
    for (let i = 0; i < 250; i++) expect((await apiGet(sandbox, '/v2/membership', 'bad')).status).toBe(401);
    expect(() => sandbox.faults.throttleUnauthorized({ after: 0 })).toThrow(/after must be/);
    expect(() => sandbox.faults.throttleUnauthorized({ windowMs: -1 })).toThrow(/windowMs/);
  });
});
