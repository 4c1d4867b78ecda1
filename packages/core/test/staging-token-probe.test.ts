import { createHash } from 'node:crypto';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  isQontoError,
  probeStagingToken,
  QONTO_ENVIRONMENTS,
  QontoConfigError,
  QontoStagingGateError,
  sandboxEndpointsAt,
} from '../src/index.js';
import {
  type Loopback,
  type LoopbackHandler,
  sendHtml,
  sendJson,
  startLoopback,
} from './helpers/loopback.js';

let sandbox: Loopback;
let tokens = 0;

/** A staging token no earlier test probed: the cache is process-wide, by token endpoint and token. */
function freshToken(): string {
  tokens += 1;
  return `probe-staging-token-${tokens}-${Math.random().toString(36).slice(2)}`;
}

const probes = () => sandbox.requests.filter((r) => r.method === 'POST' && r.url === '/oauth2/token');
const cache = () =>
  (globalThis as Record<symbol, Map<string, unknown> | undefined>)[
    Symbol.for('@qonto-oauth/core.staging-token-probes')
  ];

/** The key the cache should use: the token endpoint and the token's SHA-256. */
const keyOf = (tokenUrl: string, token: string) =>
  `${tokenUrl} ${createHash('sha256').update(token).digest('base64url')}`;

/** The sandbox's gate: a 302 to its sign-in page, unless the request carries `accepted` in the exact header. */
function gateUnless(accepted: string): LoopbackHandler {
  return (_req, res, recorded) => {
    if (recorded.rawHeaders['X-Qonto-Staging-Token'] === accepted) {
      return sendJson(res, 400, { error: 'invalid_request', error_description: 'code is missing' });
    }
    res.writeHead(302, { location: 'https://qonto.onelogin.com/login?next=%2Foauth2%2Ftoken' });
    res.end();
  };
}

beforeAll(async () => {
  sandbox = await startLoopback();
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.requests.length = 0;
});

describe('probeStagingToken', () => {
  it("answers the sandbox's sign-in gate as a QontoStagingGateError, without the token", async () => {
    const token = freshToken();
    sandbox.handle(gateUnless('the-right-token'));

    const refused = await probeStagingToken(sandboxEndpointsAt(sandbox.url), token);

    expect(refused).toBeInstanceOf(QontoStagingGateError);
    expect(refused).toMatchObject({ code: 'staging_gate', status: 302, locationHost: 'qonto.onelogin.com' });
    expect(refused!.message).toContain('X-Qonto-Staging-Token from stagingToken (QONTO_STAGING_TOKEN)');
    expect(refused!.message).toMatch(/Fix: set it to this app's staging token \(Developer Portal > your app/);
    expect(refused!.message).toMatch(/Sign-in stopped before the redirect to Qonto\.$/);
    expect(`${refused!.message} ${inspect(refused)} ${JSON.stringify(refused)}`).not.toContain(token);
    // One POST without credentials, the token in the exact header.
    const [request, ...others] = probes();
    expect(others).toEqual([]);
    expect(request!.rawHeaders['X-Qonto-Staging-Token']).toBe(token);
    expect(request!.body).toBe('grant_type=authorization_code');
  });

  it('answers an HTML page below 500 as the gate too, naming where the token came from', async () => {
    sandbox.handle((_req, res) => sendHtml(res, 200, '<html>Sign in to Qonto</html>'));
    const refused = await probeStagingToken(sandboxEndpointsAt(sandbox.url), freshToken(), {
      source: "MyAuth's qontoStagingToken",
    });
    expect(isQontoError(refused)).toBe(true);
    expect(refused).toMatchObject({ code: 'staging_gate', status: 200 });
    expect(refused!.message).toContain("X-Qonto-Staging-Token from MyAuth's qontoStagingToken: ");
  });

  it('passes a token Qonto answers with its JSON refusal (400), and remembers it: one request per process', async () => {
    const token = freshToken();
    sandbox.handle(gateUnless(token));
    const endpoints = sandboxEndpointsAt(sandbox.url);

    expect(await probeStagingToken(endpoints, token)).toBeUndefined();
    expect(await probeStagingToken(endpoints, token)).toBeUndefined();
    expect(probes()).toHaveLength(1);
  });

  it('remembers a refusal too: the second sign-in asks nothing', async () => {
    const token = freshToken();
    sandbox.handle(gateUnless('the-right-token'));
    const endpoints = sandboxEndpointsAt(sandbox.url);
    const first = await probeStagingToken(endpoints, token);
    const second = await probeStagingToken(endpoints, token);
    // A new error each time (each names its caller's source), from the one remembered answer.
    expect(second).toBeInstanceOf(QontoStagingGateError);
    expect(second).toMatchObject({
      status: first!.status,
      locationHost: first!.locationHost,
      message: first!.message,
    });
    expect(probes()).toHaveLength(1);
  });

  it('sends one request for concurrent callers', async () => {
    const token = freshToken();
    let release: () => void = () => undefined;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    sandbox.handle(async (req, res, recorded) => {
      await held;
      gateUnless(token)(req, res, recorded);
    });
    const endpoints = sandboxEndpointsAt(sandbox.url);

    const answers = Promise.all(Array.from({ length: 5 }, () => probeStagingToken(endpoints, token)));
    await new Promise((resolve) => setTimeout(resolve, 50));
    release();

    expect(await answers).toEqual([undefined, undefined, undefined, undefined, undefined]);
    expect(probes()).toHaveLength(1);
  });

  it('lets a 5xx through and forgets it: the next call probes again', async () => {
    const token = freshToken();
    const endpoints = sandboxEndpointsAt(sandbox.url);
    sandbox.handle((_req, res) => sendHtml(res, 502, '<html>Bad gateway</html>'));
    expect(await probeStagingToken(endpoints, token)).toBeUndefined();

    sandbox.handle(gateUnless('the-right-token'));
    const refused = await probeStagingToken(endpoints, token);
    expect(refused).toMatchObject({ code: 'staging_gate' });
    expect(probes()).toHaveLength(2);
  });

  it('lets a timeout through and forgets it', async () => {
    const token = freshToken();
    const endpoints = sandboxEndpointsAt(sandbox.url);
    sandbox.handle(() => undefined); // never answers

    expect(await probeStagingToken(endpoints, token, { timeoutMs: 100 })).toBeUndefined();
    await new Promise((resolve) => setImmediate(resolve));
    expect(cache()?.has(keyOf(endpoints.tokenUrl, token))).toBe(false);

    sandbox.handle(gateUnless(token));
    expect(await probeStagingToken(endpoints, token, { timeoutMs: 2_000 })).toBeUndefined();
    expect(probes()).toHaveLength(2);
  });

  it('lets a network failure through, through the fetch it is given', async () => {
    const token = freshToken();
    let calls = 0;
    const failing: typeof fetch = async () => {
      calls += 1;
      throw new TypeError('fetch failed');
    };
    const endpoints = sandboxEndpointsAt(sandbox.url);
    expect(await probeStagingToken(endpoints, token, { fetch: failing })).toBeUndefined();
    expect(await probeStagingToken(endpoints, token, { fetch: failing })).toBeUndefined();
    expect(calls).toBe(2);
    expect(probes()).toEqual([]);
  });

  it('keys its process-wide cache by token endpoint and SHA-256, never the token', async () => {
    const token = freshToken();
    sandbox.handle(gateUnless(token));
    const endpoints = sandboxEndpointsAt(sandbox.url);
    await probeStagingToken(endpoints, token);

    const keys = [...(cache()?.keys() ?? [])];
    expect(keys).toContain(keyOf(endpoints.tokenUrl, token));
    for (const key of keys) expect(key).not.toContain(token);
  });

  it('refuses an environment that takes no staging token, without a request', async () => {
    await expect(probeStagingToken(QONTO_ENVIRONMENTS.production, 'any-token')).rejects.toBeInstanceOf(
      QontoConfigError,
    );
    expect(probes()).toEqual([]);
  });
});
