import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createQontoFetch, createQontoFetchWith, type QontoFetchHooks } from '../src/fetch.js';
import {
  QontoConfigError,
  QontoNetworkError,
  QontoStagingGateError,
  QontoTimeoutError,
  sandboxEndpointsAt,
} from '../src/index.js';
import { type Loopback, sendHtml, sendJson, startLoopback } from './helpers/loopback.js';

const TOKEN = 'stg-token-for-tests';

let sandbox: Loopback;
let other: Loopback;

beforeAll(async () => {
  sandbox = await startLoopback();
  other = await startLoopback();
});
afterAll(async () => {
  await sandbox.close();
  await other.close();
});
beforeEach(() => {
  sandbox.requests.length = 0;
  other.requests.length = 0;
  sandbox.handle((_req, res) => sendJson(res, 200, { ok: true }));
  other.handle((_req, res) => sendJson(res, 200, { ok: true }));
});

/** Sleeps recorded, not waited: no test depends on real time. */
function recordingHooks(): QontoFetchHooks & { delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    sleep: async (ms) => {
      delays.push(ms);
    },
    random: () => 0.5,
    now: () => Date.parse('2026-01-01T00:00:00Z'),
  };
}

function stagingNames(names: string[]): string[] {
  return names.filter((n) => n.toLowerCase() === 'x-qonto-staging-token');
}

/** A port nothing listens on: bound then closed. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('createQontoFetch: the staging header', () => {
  it('sends X-Qonto-Staging-Token in its exact casing to the sandbox, replacing a lowercase or wrong variant', async () => {
    const qontoFetch = createQontoFetch({
      environment: sandboxEndpointsAt(sandbox.url),
      stagingToken: TOKEN,
    });
    await qontoFetch(`${sandbox.url}/oauth2/token`, {
      method: 'POST',
      headers: { 'x-qonto-staging-token': 'wrong', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=refresh_token',
    });
    await qontoFetch(`${sandbox.url}/v2/organization`, { headers: { 'X-QONTO-STAGING-TOKEN': 'other' } });
    await qontoFetch(
      new Request(`${sandbox.url}/v2/membership`, { headers: { 'x-qonto-staging-token': 'x' } }),
    );
    expect(sandbox.requests).toHaveLength(3);
    for (const recorded of sandbox.requests) {
      expect(stagingNames(recorded.headerNames)).toEqual(['X-Qonto-Staging-Token']);
      expect(recorded.rawHeaders['X-Qonto-Staging-Token']).toBe(TOKEN);
    }
  });

  it("keeps the caller's other headers, given as a Headers, pairs or a record, repeated names joined", async () => {
    const qontoFetch = createQontoFetch({
      environment: sandboxEndpointsAt(sandbox.url),
      stagingToken: TOKEN,
    });
    const sent = [
      new Headers({ Accept: 'application/json', 'X-Qonto-Staging-Token': 'x' }),
      [
        ['accept', 'application/json'],
        ['x-qonto-staging-token', 'y'],
      ] as [string, string][],
      { Accept: 'application/json', 'x-qonto-STAGING-token': 'z' },
    ];
    for (const headers of sent) await qontoFetch(`${sandbox.url}/v2/organization`, { headers });
    // The caller's own objects are left as they were.
    expect(sent[0]).toEqual(new Headers({ Accept: 'application/json', 'X-Qonto-Staging-Token': 'x' }));
    expect(sent[2]).toEqual({ Accept: 'application/json', 'x-qonto-STAGING-token': 'z' });
    await qontoFetch(`${sandbox.url}/v2/organization`, {
      headers: [
        ['x-trace', 'a'],
        ['x-trace', 'b'],
      ],
    });
    expect(sandbox.requests.map((r) => r.rawHeaders['X-Qonto-Staging-Token'])).toEqual(Array(4).fill(TOKEN));
    expect(sandbox.requests.slice(0, 3).map((r) => stagingNames(r.headerNames))).toEqual(
      Array(3).fill(['X-Qonto-Staging-Token']),
    );
    const accept = (r: (typeof sandbox.requests)[number]) =>
      Object.entries(r.rawHeaders).find(([name]) => name.toLowerCase() === 'accept')?.[1];
    expect(sandbox.requests.slice(0, 3).map(accept)).toEqual(Array(3).fill('application/json'));
    expect(sandbox.requests[3]?.rawHeaders['x-trace']).toBe('a, b');
  });

  it('removes the header from requests to any other origin, even when the caller passed it', async () => {
    const qontoFetch = createQontoFetch({
      environment: sandboxEndpointsAt(sandbox.url),
      stagingToken: TOKEN,
    });
    await qontoFetch(`${other.url}/file.pdf`, { headers: { 'X-Qonto-Staging-Token': TOKEN } });
    await qontoFetch(`${other.url}/file.pdf`);
    expect(other.requests).toHaveLength(2);
    for (const recorded of other.requests) expect(stagingNames(recorded.headerNames)).toEqual([]);
  });

  it("never sends it to the authorization URL's origin when custom endpoints put it elsewhere", async () => {
    const environment = { ...sandboxEndpointsAt(sandbox.url), authorizationUrl: `${other.url}/oauth2/auth` };
    const qontoFetch = createQontoFetch({ environment, stagingToken: TOKEN });
    await qontoFetch(`${other.url}/oauth2/auth?client_id=c`, { headers: { 'X-Qonto-Staging-Token': TOKEN } });
    await qontoFetch(`${sandbox.url}/oauth2/token`, { method: 'POST', body: 'grant_type=x' });
    await qontoFetch(`${sandbox.url}/v2/organization`);
    expect(stagingNames(other.requests[0]!.headerNames)).toEqual([]);
    expect(sandbox.requests.map((r) => stagingNames(r.headerNames))).toEqual([
      ['X-Qonto-Staging-Token'],
      ['X-Qonto-Staging-Token'],
    ]);
  });

  it("decides by the URL's origin however it is spelled, and not by a prefix of it", async () => {
    const seen: [string, string | null][] = [];
    const qontoFetch = createQontoFetch({
      environment: sandboxEndpointsAt(sandbox.url),
      stagingToken: TOKEN,
      fetch: async (input, init) => {
        seen.push([String(input), new Headers(init?.headers).get('x-qonto-staging-token')]);
        return new Response('{}', { headers: { 'content-type': 'application/json' } });
      },
    });
    const { port } = new URL(sandbox.url);
    const urls = [
      sandbox.url,
      `${sandbox.url}?page=2`,
      `${sandbox.url}#top`,
      `HTTP://127.0.0.1:${port}/v2/organization`,
      `http://127.0.0.1:${port}\\v2\\organization`,
      `http://127.0.0.1:${port}0/v2/organization`,
      `http://127.0.0.1:${port}.example/v2/organization`,
      `http://localhost:${port}/v2/organization`,
    ];
    for (const url of urls) await qontoFetch(url);
    expect(seen.map(([, token]) => token)).toEqual([TOKEN, TOKEN, TOKEN, TOKEN, TOKEN, null, null, null]);
  });

  it("refuses a URL it cannot parse with fetch's own TypeError, without retrying it as a network failure", async () => {
    const hooks = recordingHooks();
    const qontoFetch = createQontoFetchWith(
      { environment: sandboxEndpointsAt(sandbox.url), stagingToken: TOKEN },
      hooks,
    );
    const error = await qontoFetch('/v2/organization').catch((e) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect(error).not.toBeInstanceOf(QontoNetworkError);
    expect(hooks.delays).toEqual([]);
  });

  it('sends a method given in lower case in upper case, as Qonto expects (fetch leaves `patch` as is)', async () => {
    const qontoFetch = createQontoFetch({
      environment: sandboxEndpointsAt(sandbox.url),
      stagingToken: TOKEN,
    });
    await qontoFetch(`${sandbox.url}/v2/attachments`, { method: 'patch', body: '{}' });
    await qontoFetch(new Request(`${sandbox.url}/v2/attachments`, { method: 'patch', body: '{}' }));
    await qontoFetch(`${sandbox.url}/v2/organization`);
    expect(sandbox.requests.map((r) => r.method)).toEqual(['PATCH', 'PATCH', 'GET']);
  });

  it('sends redirect: manual to the fetch it wraps, so the header cannot follow a redirect', async () => {
    const seen: RequestInit['redirect'][] = [];
    const qontoFetch = createQontoFetch({
      environment: sandboxEndpointsAt(sandbox.url),
      stagingToken: TOKEN,
      fetch: (input, init) => {
        seen.push(init?.redirect);
        return fetch(input, init);
      },
    });
    await qontoFetch(`${sandbox.url}/v2/organization`, { redirect: 'follow' });
    expect(seen).toEqual(['manual']);
  });

  it('never sends it to a production environment', async () => {
    const production = { ...sandboxEndpointsAt(sandbox.url), requiresStagingToken: false };
    const qontoFetch = createQontoFetch({ environment: production });
    await qontoFetch(`${sandbox.url}/v2/organization`, { headers: { 'X-Qonto-Staging-Token': TOKEN } });
    expect(stagingNames(sandbox.requests[0]!.headerNames)).toEqual([]);
  });
});

describe('createQontoFetch: configuration', () => {
  it('refuses a sandbox without a staging token, naming the fix', () => {
    expect(() => createQontoFetch({ environment: 'sandbox' })).toThrow(QontoConfigError);
    expect(() => createQontoFetch({ environment: 'sandbox' })).toThrow(/stagingToken.*Developer Portal/s);
  });

  it('refuses a staging token with production or custom endpoints that do not need one, without printing it', () => {
    const run = (environment: Parameters<typeof createQontoFetch>[0]['environment']) => {
      try {
        createQontoFetch({ environment, stagingToken: TOKEN });
      } catch (error) {
        return error as Error;
      }
      throw new Error('expected a QontoConfigError');
    };
    for (const environment of [
      'production',
      { ...sandboxEndpointsAt(sandbox.url), requiresStagingToken: false },
    ] as const) {
      const error = run(environment);
      expect(error).toBeInstanceOf(QontoConfigError);
      expect(error.message).toMatch(/does not take one/);
      expect(error.message).not.toContain(TOKEN);
    }
  });
});

describe('createQontoFetch: the sandbox gate', () => {
  const qontoFetch = () =>
    createQontoFetch({ environment: sandboxEndpointsAt(sandbox.url), stagingToken: TOKEN });

  it('turns a 302 to OneLogin into QontoStagingGateError naming the status, the Location host and the fix', async () => {
    sandbox.handle((_req, res) => {
      res.writeHead(302, { location: 'https://qonto.onelogin.com/login?return_to=x' }).end();
    });
    const error = await qontoFetch()(`${sandbox.url}/oauth2/token`, { method: 'POST', body: 'a=b' }).catch(
      (e) => e,
    );
    expect(error).toBeInstanceOf(QontoStagingGateError);
    expect(error).toMatchObject({ code: 'staging_gate', status: 302, locationHost: 'qonto.onelogin.com' });
    expect(error.message).toMatch(/302 redirecting to qonto\.onelogin\.com instead of JSON/);
    // The host explains the gate; its path and query may carry anything.
    expect(error.message).not.toContain('return_to');
    expect(error.message).toMatch(/Fix: copy the staging token/);
    expect(error.message).not.toContain(TOKEN);
  });

  it('turns a 302 to the developer portal into QontoStagingGateError', async () => {
    sandbox.handle((_req, res) => {
      res.writeHead(302, { location: 'https://developers.qonto.com/' }).end();
    });
    const error = await qontoFetch()(`${sandbox.url}/v2/organization`).catch((e) => e);
    expect(error).toBeInstanceOf(QontoStagingGateError);
    expect(error.locationHost).toBe('developers.qonto.com');
    expect(error.message).toMatch(/developers\.qonto\.com/);
  });

  it('leaves out a Location host that is not a plain host name', async () => {
    sandbox.handle((_req, res) => {
      res.writeHead(302, { location: `https://${TOKEN.replace(/-/g, '&hyphen;')}.example/` }).end();
    });
    const error = await qontoFetch()(`${sandbox.url}/v2/organization`).catch((e) => e);
    expect(error).toBeInstanceOf(QontoStagingGateError);
    expect(error.locationHost).toBeUndefined();
    expect(error.message).toMatch(/302 redirecting instead of JSON/);
    expect(error.message).not.toContain('hyphen');
  });

  it('turns an HTML page with status 200 into QontoStagingGateError', async () => {
    sandbox.handle((_req, res) => sendHtml(res, 200, '<html><body>OneLogin</body></html>'));
    const error = await qontoFetch()(`${sandbox.url}/v2/organization`).catch((e) => e);
    expect(error).toBeInstanceOf(QontoStagingGateError);
    expect(error.status).toBe(200);
    expect(error.message).toMatch(/200 with an HTML page/);
  });

  it("answers an HTML 5xx (a proxy's outage page) as an outage, retried when idempotent, not as the gate", async () => {
    let answers = 0;
    sandbox.handle((_req, res) => {
      answers += 1;
      if (answers === 1) sendHtml(res, 502, '<html><body>Bad Gateway</body></html>');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"organization":{}}');
    });
    const retried = await createQontoFetchWith(
      { environment: sandboxEndpointsAt(sandbox.url), stagingToken: TOKEN },
      recordingHooks(),
    )(`${sandbox.url}/v2/organization`);
    expect(retried.status).toBe(200);
    expect(answers).toBe(2);
    sandbox.handle((_req, res) => sendHtml(res, 503, '<html><body>Service Unavailable</body></html>'));
    const outage = await qontoFetch()(`${sandbox.url}/oauth2/token`, { method: 'POST', body: 'x=1' });
    expect(outage.status).toBe(503);
  });

  it('lets redirects and HTML from other origins through untouched', async () => {
    other.handle((_req, res) => {
      res.writeHead(302, { location: 'https://example.com/x' }).end();
    });
    const redirect = await qontoFetch()(`${other.url}/file`);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('location')).toBe('https://example.com/x');
    other.handle((_req, res) => sendHtml(res, 200, '<p>hi</p>'));
    const html = await qontoFetch()(`${other.url}/page`);
    expect(await html.text()).toBe('<p>hi</p>');
  });
});

describe('createQontoFetch: timeouts, aborts and network failures', () => {
  it('throws QontoTimeoutError when no answer comes within timeoutMs', async () => {
    sandbox.handle(() => undefined); // never answers
    const qontoFetch = createQontoFetch({
      environment: sandboxEndpointsAt(sandbox.url),
      stagingToken: TOKEN,
      timeoutMs: 50,
      retry: false,
    });
    const error = await qontoFetch(`${sandbox.url}/v2/organization`).catch((e) => e);
    expect(error).toBeInstanceOf(QontoTimeoutError);
    expect(error).toMatchObject({ code: 'timeout', timeoutMs: 50 });
    // Still a timeout when the caller's own signal is armed but never fires.
    const withSignal = await qontoFetch(`${sandbox.url}/v2/organization`, {
      signal: new AbortController().signal,
    }).catch((e) => e);
    expect(withSignal).toBeInstanceOf(QontoTimeoutError);
  });

  it('really aborts a timed-out request: the server sees the connection close, before headers and during the body', async () => {
    const closed: string[] = [];
    sandbox.handle((req, res) => {
      res.on('close', () => closed.push(req.url ?? ''));
      if (req.url === '/v2/slow-body') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"transactions":['); // and never the rest
      }
    });
    const fetchWithin = (timeoutMs: number) =>
      createQontoFetch({
        environment: sandboxEndpointsAt(sandbox.url),
        stagingToken: TOKEN,
        timeoutMs,
        retry: false,
      });
    const noHeaders = await fetchWithin(200)(`${sandbox.url}/v2/no-headers`).catch((e) => e);
    expect(noHeaders).toBeInstanceOf(QontoTimeoutError);
    // Long enough for the slow body's headers to arrive on a loaded CI machine: the timeout must hit during the body.
    const response = await fetchWithin(5_000)(`${sandbox.url}/v2/slow-body`);
    const cutBody = await response.text().catch((e) => e);
    expect(cutBody).toBeInstanceOf(QontoTimeoutError);
    while (closed.length < 2) await new Promise((r) => setTimeout(r, 2));
    expect(closed.sort()).toEqual(['/v2/no-headers', '/v2/slow-body']);
  });

  it("keeps the caller's abort an AbortError while a timeout is armed", async () => {
    sandbox.handle(() => undefined);
    const qontoFetch = createQontoFetch({
      environment: sandboxEndpointsAt(sandbox.url),
      stagingToken: TOKEN,
    });
    const controller = new AbortController();
    const pending = qontoFetch(`${sandbox.url}/v2/organization`, { signal: controller.signal }).catch(
      (e) => e,
    );
    setTimeout(() => controller.abort(), 10);
    const error = await pending;
    expect(error).toBeInstanceOf(DOMException);
    expect(error.name).toBe('AbortError');
  });

  it('throws QontoNetworkError for a closed port after retrying idempotent requests', async () => {
    const port = await closedPort();
    const hooks = recordingHooks();
    const production = { ...sandboxEndpointsAt(`http://127.0.0.1:${port}`), requiresStagingToken: false };
    const qontoFetch = createQontoFetchWith({ environment: production }, hooks);
    const error = await qontoFetch(`http://127.0.0.1:${port}/v2/organization`).catch((e) => e);
    expect(error).toBeInstanceOf(QontoNetworkError);
    expect(error.message).toMatch(/ECONNREFUSED/);
    expect(hooks.delays).toHaveLength(2);
  });
});

describe('createQontoFetch: retries', () => {
  function failing(statuses: number[], headers: Record<string, string> = {}) {
    let n = 0;
    sandbox.handle((_req, res) => {
      const status = statuses[n++];
      if (status === undefined) sendJson(res, 200, { ok: true });
      else sendJson(res, status, { errors: [] }, headers);
    });
  }

  it('retries GET on 429 and 5xx, then returns the success', async () => {
    failing([429, 503]);
    const hooks = recordingHooks();
    const qontoFetch = createQontoFetchWith(
      { environment: sandboxEndpointsAt(sandbox.url), stagingToken: TOKEN },
      hooks,
    );
    const response = await qontoFetch(`${sandbox.url}/v2/organization`);
    expect(response.status).toBe(200);
    expect(sandbox.requests).toHaveLength(3);
    // Exponential with jitter: 250 then 500 ms ceilings, half fixed, half random (random = 0.5).
    expect(hooks.delays).toEqual([187.5, 375]);
  });

  it('returns the last 429 when retries run out', async () => {
    failing([429, 429, 429, 429]);
    const hooks = recordingHooks();
    const qontoFetch = createQontoFetchWith(
      { environment: sandboxEndpointsAt(sandbox.url), stagingToken: TOKEN, retry: { retries: 1 } },
      hooks,
    );
    const response = await qontoFetch(`${sandbox.url}/v2/organization`, { method: 'DELETE' });
    expect(response.status).toBe(429);
    expect(sandbox.requests).toHaveLength(2);
  });

  it('honours Retry-After, and returns an answer asking for more than maxDelayMs at once', async () => {
    failing([429, 429], { 'retry-after': '3' });
    const hooks = recordingHooks();
    const qontoFetch = createQontoFetchWith(
      { environment: sandboxEndpointsAt(sandbox.url), stagingToken: TOKEN },
      hooks,
    );
    await qontoFetch(`${sandbox.url}/v2/organization`);
    expect(hooks.delays).toEqual([3000, 3000]);

    sandbox.requests.length = 0;
    failing([503], { 'retry-after': 'Thu, 01 Jan 2026 00:02:00 GMT' });
    const capped = recordingHooks();
    const cappedFetch = createQontoFetchWith(
      { environment: sandboxEndpointsAt(sandbox.url), stagingToken: TOKEN, retry: { maxDelayMs: 10_000 } },
      capped,
    );
    const refused = await cappedFetch(`${sandbox.url}/v2/organization`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('Thu, 01 Jan 2026 00:02:00 GMT');
    expect(capped.delays).toEqual([]);
    expect(sandbox.requests).toHaveLength(1);
  });

  it('never retries a POST', async () => {
    failing([503, 503, 503]);
    const hooks = recordingHooks();
    const qontoFetch = createQontoFetchWith(
      { environment: sandboxEndpointsAt(sandbox.url), stagingToken: TOKEN },
      hooks,
    );
    const response = await qontoFetch(`${sandbox.url}/oauth2/token`, { method: 'POST', body: 'x=y' });
    expect(response.status).toBe(503);
    expect(sandbox.requests).toHaveLength(1);
    expect(hooks.delays).toEqual([]);
  });

  it('retries for real with a small maxDelayMs', async () => {
    failing([500]);
    const qontoFetch = createQontoFetch({
      environment: sandboxEndpointsAt(sandbox.url),
      stagingToken: TOKEN,
      retry: { maxDelayMs: 2 },
    });
    expect((await qontoFetch(`${sandbox.url}/v2/organization`)).status).toBe(200);
    expect(sandbox.requests).toHaveLength(2);
  });

  it("stops waiting between attempts when the caller's signal aborts", async () => {
    failing([503], { 'retry-after': '20' });
    const qontoFetch = createQontoFetch({
      environment: sandboxEndpointsAt(sandbox.url),
      stagingToken: TOKEN,
    });
    const controller = new AbortController();
    const pending = qontoFetch(`${sandbox.url}/v2/organization`, { signal: controller.signal }).catch(
      (e) => e,
    );
    while (sandbox.requests.length === 0) await new Promise((r) => setTimeout(r, 2));
    controller.abort();
    const error = await pending;
    expect(error.name).toBe('AbortError');
    expect(sandbox.requests).toHaveLength(1);
  });
});
