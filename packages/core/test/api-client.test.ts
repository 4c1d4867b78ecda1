import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  QontoApiClient,
  QontoApiError,
  QontoConfigError,
  type QontoEndpoints,
  QontoOAuthClient,
  QontoRateLimitError,
  QontoStagingGateError,
  QontoTokenManager,
  QontoUnexpectedResponseError,
  sandboxEndpointsAt,
} from '../src/index.js';
import {
  type Loopback,
  type LoopbackHandler,
  sendHtml,
  sendJson,
  startLoopback,
} from './helpers/loopback.js';

const STAGING = 'staging-token-for-api-tests';
const T0 = Date.parse('2026-03-01T09:00:00Z');
const now = () => T0;
const noWait = { retries: 2, maxDelayMs: 0 };

let lb: Loopback;
let sandbox: QontoEndpoints;
let production: QontoEndpoints;

beforeAll(async () => {
  lb = await startLoopback();
  sandbox = sandboxEndpointsAt(lb.url);
  production = { ...sandbox, requiresStagingToken: false };
});
afterAll(() => lb.close());
beforeEach(() => {
  lb.requests.length = 0;
});

function apiRequests() {
  return lb.requests.filter((r) => r.url.startsWith('/v2/'));
}

function tokenRequests() {
  return lb.requests.filter((r) => r.url === '/oauth2/token');
}

/** Serves the token endpoint (rotating `at-N`/`rt-N`) and hands API requests to `api`. */
function serve(api: LoopbackHandler): void {
  let issued = 0;
  lb.handle((req, res, recorded) => {
    if (recorded.url === '/oauth2/token') {
      issued += 1;
      return sendJson(res, 200, {
        access_token: `at-${issued}`,
        refresh_token: `rt-${issued}`,
        expires_in: 3600,
        token_type: 'bearer',
        scope: 'organization.read',
      });
    }
    return api(req, res, recorded);
  });
}

/**
 * Rotations are shared and remembered for 60 s process-wide by token endpoint, client id and refresh token: a client
 * id of its own keeps each test's fixed refresh tokens from meeting an earlier test's rotation.
 */
let clientCount = 0;

function managerFor(environment: QontoEndpoints, stagingToken?: string): QontoTokenManager {
  const client = new QontoOAuthClient({
    environment,
    clientId: `client-id-${++clientCount}`,
    clientSecret: 'client-secret-value',
    redirectUri: 'http://127.0.0.1/callback',
    ...(stagingToken === undefined ? {} : { stagingToken }),
    now,
  });
  const tokens = {
    accessToken: 'at-0',
    tokenType: 'bearer' as const,
    refreshToken: 'rt-0',
    scopes: ['organization.read'],
    expiresAt: T0 + 3600_000,
  };
  return new QontoTokenManager({ client, tokens, now });
}

describe('QontoApiClient requests', () => {
  it('sends the bearer token, and the staging header in its exact casing to a sandbox', async () => {
    serve((_req, res) => sendJson(res, 200, { organization: { id: 'org-1' } }));
    const api = new QontoApiClient({ environment: sandbox, stagingToken: STAGING, tokens: 'at-plain' });
    expect(await api.request('/v2/organization')).toEqual({ organization: { id: 'org-1' } });
    const [sent] = apiRequests();
    expect(sent?.rawHeaders['X-Qonto-Staging-Token']).toBe(STAGING);
    expect(sent?.headerNames.filter((n) => n.toLowerCase() === 'x-qonto-staging-token')).toEqual([
      'X-Qonto-Staging-Token',
    ]);
    expect(sent?.rawHeaders.authorization ?? sent?.rawHeaders.Authorization).toBe('Bearer at-plain');
  });

  it('sends X-Qonto-Organization-Id on every request when given (the user OAuth flow), and refuses an empty one', async () => {
    serve((_req, res) => sendJson(res, 200, { organization: { id: 'org-2' } }));
    const api = new QontoApiClient({ environment: production, tokens: 'at-user', organizationId: 'org-2' });
    await api.getOrganization();
    await api.request('/v2/labels', { headers: { 'X-Qonto-Organization-Id': 'org-3' } });
    const [first, second] = apiRequests();
    expect(first?.rawHeaders['X-Qonto-Organization-Id']).toBe('org-2');
    expect(second?.rawHeaders['X-Qonto-Organization-Id']).toBe('org-3'); // the caller's own wins
    for (const organizationId of ['', 'org-2\r\nX-Injected: 1']) {
      expect(() => new QontoApiClient({ environment: production, tokens: 'at', organizationId })).toThrow(
        QontoConfigError,
      );
    }
    await new QontoApiClient({ environment: production, tokens: 'at' }).getOrganization();
    expect(apiRequests()[2]?.headerNames.map((n) => n.toLowerCase())).not.toContain(
      'x-qonto-organization-id',
    );
  });

  it('sends no staging header to an environment that does not take one, and refuses a staging token for it', async () => {
    serve((_req, res) => sendJson(res, 200, { ok: true }));
    const api = new QontoApiClient({ environment: production, tokens: 'at-plain' });
    await api.get('/v2/organization');
    expect(apiRequests()[0]?.headerNames.map((n) => n.toLowerCase())).not.toContain('x-qonto-staging-token');
    expect(
      () => new QontoApiClient({ environment: production, stagingToken: STAGING, tokens: 'at' }),
    ).toThrow(QontoConfigError);
    expect(
      () => new QontoApiClient({ environment: 'production', stagingToken: STAGING, tokens: 'at' }),
    ).toThrow(QontoConfigError);
  });

  it('only sends the token to the configured API: absolute and protocol-relative paths are refused', async () => {
    const api = new QontoApiClient({ environment: production, tokens: 'at-plain' });
    await expect(api.request('https://attacker.example/v2/organization')).rejects.toThrow(QontoConfigError);
    await expect(api.request('//attacker.example/v2/organization')).rejects.toThrow(QontoConfigError);
    expect(lb.requests).toHaveLength(0);
  });

  it('encodes query arrays as key[]=value, as Qonto filters expect', async () => {
    serve((_req, res) => sendJson(res, 200, { transactions: [] }));
    const api = new QontoApiClient({ environment: production, tokens: 'at' });
    await api.get('/v2/transactions', {
      bank_account_id: 'acc-1',
      status: ['pending', 'completed'],
      sort_by: undefined,
    });
    const url = new URL(apiRequests()[0]!.url, lb.url);
    expect(url.searchParams.get('bank_account_id')).toBe('acc-1');
    expect(url.searchParams.getAll('status[]')).toEqual(['pending', 'completed']);
    expect(url.searchParams.has('sort_by')).toBe(false);
  });

  it('returns undefined for a 204', async () => {
    serve((_req, res) => {
      res.writeHead(204);
      res.end();
    });
    const api = new QontoApiClient({ environment: production, tokens: 'at' });
    expect(await api.request('/v2/oauth2/consents', { method: 'DELETE' })).toBeUndefined();
    expect(apiRequests()[0]?.method).toBe('DELETE');
  });

  it('sends a string body as JSON', async () => {
    serve((_req, res) => sendJson(res, 201, { id: 'x' }));
    const api = new QontoApiClient({ environment: production, tokens: 'at' });
    await api.request('/v2/attachments', { method: 'POST', body: JSON.stringify({ a: 1 }) });
    const sent = apiRequests()[0]!;
    expect(sent.body).toBe('{"a":1}');
    expect(Object.entries(sent.rawHeaders).find(([n]) => n.toLowerCase() === 'content-type')?.[1]).toBe(
      'application/json',
    );
  });

  it('unwraps getMembership() and getOrganization()', async () => {
    serve((_req, res, recorded) =>
      recorded.url === '/v2/membership'
        ? sendJson(res, 200, { membership: { id: 'mem-1', first_name: 'Ada', role: 'owner' } })
        : sendJson(res, 200, {
            organization: { id: 'org-1', slug: 'acme', bank_accounts: [{ iban: 'FR76' }] },
          }),
    );
    const api = new QontoApiClient({ environment: production, tokens: 'at' });
    expect(await api.getMembership()).toEqual({ id: 'mem-1', first_name: 'Ada', role: 'owner' });
    expect(await api.getOrganization()).toEqual({
      id: 'org-1',
      slug: 'acme',
      bank_accounts: [{ iban: 'FR76' }],
    });
  });

  it('keeps the token and staging token out of inspect() and JSON', () => {
    const api = new QontoApiClient({
      environment: sandbox,
      stagingToken: STAGING,
      tokens: 'at-secret-value',
    });
    const shown = inspect(api, { showHidden: true, depth: 10 }) + JSON.stringify(api);
    expect(shown).not.toContain('at-secret-value');
    expect(shown).not.toContain(STAGING);
  });
});

describe('QontoApiClient errors', () => {
  it('turns a JSON:API error body into QontoApiError with status and errors[], secrets scrubbed', async () => {
    serve((_req, res) =>
      sendJson(res, 422, {
        errors: [
          {
            code: 'not_in_list',
            detail: `status must be one of: pending (token at-echoed, staging ${STAGING})`,
            source: { parameter: 'status' },
          },
        ],
      }),
    );
    const api = new QontoApiClient({ environment: sandbox, stagingToken: STAGING, tokens: 'at-echoed' });
    const error = await api.get('/v2/transactions', { status: ['x'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QontoApiError);
    expect(error).toMatchObject({ code: 'api', status: 422 });
    const apiError = error as QontoApiError;
    expect(apiError.errors).toEqual([
      {
        code: 'not_in_list',
        detail: 'status must be one of: pending (token [redacted], staging [redacted])',
        source: { parameter: 'status' },
      },
    ]);
    expect(apiError.message).toContain(
      'GET /v2/transactions answered 422: not_in_list: status must be one of',
    );
    expect(apiError.message).toContain('(status)');
    const rendered = apiError.message + JSON.stringify(apiError) + inspect(apiError) + String(apiError.stack);
    expect(rendered).not.toContain('at-echoed');
    expect(rendered).not.toContain(STAGING);
  });

  it('after a 401, refreshes exactly once through the token manager and retries once', async () => {
    serve((_req, res, recorded) =>
      recorded.rawHeaders.authorization === 'Bearer at-1' ||
      recorded.rawHeaders.Authorization === 'Bearer at-1'
        ? sendJson(res, 200, { membership: { id: 'mem-1' } })
        : sendJson(res, 401, { errors: [{ code: 'unauthorized' }] }),
    );
    const api = new QontoApiClient({
      environment: sandbox,
      stagingToken: STAGING,
      tokens: managerFor(sandbox, STAGING),
    });
    expect(await api.getMembership()).toEqual({ id: 'mem-1' });
    expect(tokenRequests()).toHaveLength(1);
    expect(apiRequests()).toHaveLength(2);
  });

  it('treats a second 401 as an error that says the consent is probably revoked', async () => {
    serve((_req, res) => sendJson(res, 401, { errors: [{ code: 'unauthorized' }] }));
    const api = new QontoApiClient({ environment: production, tokens: managerFor(production) });
    const error = await api.getOrganization().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'api', status: 401 });
    expect((error as Error).message).toMatch(
      /consent was probably revoked; have the user connect with Qonto again/,
    );
    expect(tokenRequests()).toHaveLength(1);
    expect(apiRequests()).toHaveLength(2);
  });

  it('does not retry a 401 without a token manager', async () => {
    serve((_req, res) => sendJson(res, 401, {}));
    const api = new QontoApiClient({ environment: production, tokens: 'at' });
    await expect(api.getOrganization()).rejects.toMatchObject({ status: 401 });
    expect(apiRequests()).toHaveLength(1);
  });

  it('retries a 429, then throws QontoRateLimitError with retryAfterSeconds', async () => {
    serve((_req, res) =>
      sendJson(res, 429, { errors: [{ code: 'too_many_requests' }] }, { 'retry-after': '0' }),
    );
    const api = new QontoApiClient({ environment: production, tokens: 'at', retry: noWait });
    const error = await api.get('/v2/organization').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QontoRateLimitError);
    expect(error).toBeInstanceOf(QontoApiError);
    expect(error).toMatchObject({ code: 'rate_limited', status: 429, retryAfterSeconds: 0 });
    expect(apiRequests()).toHaveLength(3);
  });

  it('throws QontoRateLimitError at once when Qonto asks to wait longer than maxDelayMs', async () => {
    serve((_req, res) =>
      sendJson(res, 429, { errors: [{ code: 'too_many_requests' }] }, { 'retry-after': '7' }),
    );
    const api = new QontoApiClient({ environment: production, tokens: 'at', retry: noWait });
    const error = await api.get('/v2/organization').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'rate_limited', status: 429, retryAfterSeconds: 7 });
    expect(apiRequests()).toHaveLength(1);
  });

  it('raises QontoUnexpectedResponseError for a non-JSON answer from a production endpoint', async () => {
    serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('maintenance');
    });
    const api = new QontoApiClient({ environment: production, tokens: 'at' });
    const error = await api.get('/v2/organization').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QontoUnexpectedResponseError);
    expect(error).toMatchObject({ code: 'unexpected_response', status: 200 });
  });

  it('raises QontoUnexpectedResponseError for a redirect from a production endpoint, without its query', async () => {
    serve((_req, res) => {
      res.writeHead(302, { location: 'https://elsewhere.example/login?ticket=abc123' });
      res.end();
    });
    const api = new QontoApiClient({ environment: production, tokens: 'at' });
    const error = await api.get('/v2/organization').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'unexpected_response', status: 302 });
    expect((error as Error).message).toContain('elsewhere.example');
    expect((error as Error).message).not.toContain('abc123');
  });

  it('lets the fetch wrapper report the sandbox gate', async () => {
    serve((_req, res) => sendHtml(res, 200, '<html>OneLogin</html>'));
    const api = new QontoApiClient({ environment: sandbox, stagingToken: STAGING, tokens: 'at' });
    await expect(api.get('/v2/organization')).rejects.toBeInstanceOf(QontoStagingGateError);
  });
});

describe('QontoApiClient.paginate', () => {
  it('follows meta.next_page across pages, yields the items and stops on a null next_page', async () => {
    serve((_req, res, recorded) => {
      const page = Number(new URL(recorded.url, lb.url).searchParams.get('page'));
      sendJson(res, 200, {
        transactions: [{ id: `tx-${page}a` }, { id: `tx-${page}b` }],
        meta: { current_page: page, next_page: page < 3 ? page + 1 : null, per_page: 2, total_pages: 3 },
      });
    });
    const api = new QontoApiClient({ environment: production, tokens: 'at' });
    const ids: string[] = [];
    for await (const tx of api.paginate<{ id: string }>('/v2/transactions', {
      itemsKey: 'transactions',
      query: { bank_account_id: 'acc-1' },
      perPage: 2,
    })) {
      ids.push(tx.id);
    }
    expect(ids).toEqual(['tx-1a', 'tx-1b', 'tx-2a', 'tx-2b', 'tx-3a', 'tx-3b']);
    const queries = apiRequests().map((r) => new URL(r.url, lb.url).searchParams);
    expect(queries.map((q) => q.get('page'))).toEqual(['1', '2', '3']);
    expect(queries.every((q) => q.get('per_page') === '2' && q.get('bank_account_id') === 'acc-1')).toBe(
      true,
    );
  });

  it('stops before handing out the items of a page other than the one asked for (a page parameter ignored)', async () => {
    serve((_req, res) =>
      sendJson(res, 200, {
        transactions: [{ id: 'tx-1a' }, { id: 'tx-1b' }],
        meta: { current_page: 1, next_page: 2, per_page: 2, total_pages: 3 },
      }),
    );
    const api = new QontoApiClient({ environment: production, tokens: 'at' });
    const ids: string[] = [];
    const error = await (async () => {
      for await (const tx of api.paginate<{ id: string }>('/v2/transactions', {
        itemsKey: 'transactions',
        perPage: 2,
      })) {
        ids.push(tx.id);
      }
    })().catch((e: unknown) => e);
    expect(ids).toEqual(['tx-1a', 'tx-1b']);
    expect(error).toBeInstanceOf(QontoUnexpectedResponseError);
    expect((error as Error).message).toMatch(/answered page 1 when asked for page 2/);
  });

  it('refuses perPage outside 1..100 before sending anything', () => {
    const api = new QontoApiClient({ environment: production, tokens: 'at' });
    for (const perPage of [0, 101, 1.5]) {
      expect(() => api.paginate('/v2/transactions', { itemsKey: 'transactions', perPage })).toThrow(
        QontoConfigError,
      );
    }
    expect(lb.requests).toHaveLength(0);
  });

  it('stops with a clear error when a page lacks the items array', async () => {
    serve((_req, res) => sendJson(res, 200, { memberships: [], meta: { next_page: null } }));
    const api = new QontoApiClient({ environment: production, tokens: 'at' });
    const pages = api.paginate('/v2/memberships', { itemsKey: 'members' });
    const error = await (async () => {
      for await (const _ of pages) {
        // nothing
      }
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QontoUnexpectedResponseError);
    expect((error as Error).message).toContain('memberships');
  });
});
