import { createHash } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  parseAuthorizationCallback,
  QontoApiError,
  QontoConfigError,
  QontoNetworkError,
  QontoOAuthClient,
  type QontoOAuthClientOptions,
  QontoOAuthError,
  QontoStagingGateError,
  QontoTimeoutError,
  QontoUnexpectedResponseError,
  sandboxEndpointsAt,
} from '../src/index.js';
import { type Loopback, sendHtml, sendJson, startLoopback } from './helpers/loopback.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const TOKEN_RESPONSE = {
  access_token: 'ory_at_access',
  expires_in: 3600,
  refresh_token: 'ory_rt_refresh',
  id_token: 'eyJ.id.token',
  scope: 'offline_access organization.read',
  token_type: 'bearer',
};

let server: Loopback;
beforeAll(async () => {
  server = await startLoopback();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.handle((_req, res) => sendJson(res, 200, TOKEN_RESPONSE));
});

function sandboxClient(extra: Partial<QontoOAuthClientOptions> = {}): QontoOAuthClient {
  return new QontoOAuthClient({
    environment: sandboxEndpointsAt(server.url),
    stagingToken: 'stg-token',
    clientId: 'client-1',
    clientSecret: 'secret-1',
    redirectUri: 'http://localhost:3001/auth/qonto/callback',
    now: () => NOW,
    ...extra,
  });
}

/** The same server playing a production endpoint: no staging token, no gate. */
function productionClient(extra: Partial<QontoOAuthClientOptions> = {}): QontoOAuthClient {
  return sandboxClient({
    environment: { ...sandboxEndpointsAt(server.url), requiresStagingToken: false },
    stagingToken: undefined,
    ...extra,
  });
}

function form(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body));
}

describe('createAuthorizationRequest', () => {
  it('builds the authorize URL with exactly the documented parameters, state and PKCE S256', async () => {
    const request = await sandboxClient().createAuthorizationRequest({
      organizationId: 'org-1',
      registrationId: 'reg-1',
      identityType: 'user',
    });
    const url = new URL(request.url);
    expect(`${url.origin}${url.pathname}`).toBe(`${server.url}/oauth2/auth`);
    expect(Object.fromEntries(url.searchParams)).toEqual({
      client_id: 'client-1',
      redirect_uri: 'http://localhost:3001/auth/qonto/callback',
      response_type: 'code',
      scope: 'offline_access openid membership.read organization.read',
      state: request.state,
      code_challenge: createHash('sha256').update(request.codeVerifier!).digest('base64url'),
      code_challenge_method: 'S256',
      organization_id: 'org-1',
      registration_id: 'reg-1',
      identity_type: 'user',
    });
    expect(url.search).toContain('scope=offline_access%20openid%20membership.read%20organization.read');
  });

  it('draws a fresh state of at least 128 random bits each time', async () => {
    const client = sandboxClient();
    const a = await client.createAuthorizationRequest();
    const b = await client.createAuthorizationRequest();
    expect(a.state).not.toBe(b.state);
    expect(a.state).toMatch(/^[A-Za-z0-9_-]{22,}$/);
  });

  it('leaves out PKCE and the optional parameters when not asked for', async () => {
    const request = await sandboxClient({ pkce: false }).createAuthorizationRequest({
      scopes: ['organization.read'],
      state: 'my-state',
    });
    expect(request.codeVerifier).toBeUndefined();
    expect(Object.fromEntries(new URL(request.url).searchParams)).toEqual({
      client_id: 'client-1',
      redirect_uri: 'http://localhost:3001/auth/qonto/callback',
      response_type: 'code',
      scope: 'organization.read',
      state: 'my-state',
    });
  });
});

describe('exchangeCode and refresh', () => {
  it('posts the code with client_secret_post and the staging header, and returns a TokenSet', async () => {
    const tokens = await sandboxClient().exchangeCode({ code: 'ory_ac_code', codeVerifier: 'verifier-1' });
    expect(tokens).toEqual({
      accessToken: 'ory_at_access',
      tokenType: 'bearer',
      refreshToken: 'ory_rt_refresh',
      idToken: 'eyJ.id.token',
      scopes: ['offline_access', 'organization.read'],
      expiresAt: NOW + 3600 * 1000,
      refreshTokenExpiresAt: NOW + 90 * 24 * 3600 * 1000,
    });
    const [recorded] = server.requests;
    expect(recorded).toMatchObject({ method: 'POST', url: '/oauth2/token' });
    expect(form(recorded!.body)).toEqual({
      grant_type: 'authorization_code',
      code: 'ory_ac_code',
      redirect_uri: 'http://localhost:3001/auth/qonto/callback',
      code_verifier: 'verifier-1',
      client_id: 'client-1',
      client_secret: 'secret-1',
    });
    expect(recorded!.rawHeaders['X-Qonto-Staging-Token']).toBe('stg-token');
    expect(recorded!.headerNames.map((n) => n.toLowerCase())).not.toContain('authorization');
    expect(recorded!.rawHeaders['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('refreshes with client_secret_post', async () => {
    await sandboxClient().refresh('ory_rt_old');
    expect(form(server.requests[0]!.body)).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'ory_rt_old',
      client_id: 'client-1',
      client_secret: 'secret-1',
    });
  });

  it('never sends the staging token to a production endpoint', async () => {
    await productionClient().refresh('ory_rt_old');
    const names = server.requests[0]!.headerNames.map((n) => n.toLowerCase());
    expect(names).not.toContain('x-qonto-staging-token');
  });

  it('turns an RFC 6749 invalid_client into QontoOAuthError hinting at the other environment', async () => {
    server.handle((_req, res) =>
      sendJson(res, 401, { error: 'invalid_client', error_description: 'bad auth' }),
    );
    const error = await sandboxClient()
      .exchangeCode({ code: 'c' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(QontoOAuthError);
    expect(error).toMatchObject({ error: 'invalid_client', errorDescription: 'bad auth', status: 401 });
    expect(error.hint).toMatch(/credentials of the other environment\?/);
    expect(error.message).toMatch(/invalid_client.*other environment/s);
  });

  it('marks invalid_grant on refresh as reconnectRequired, and not on code exchange', async () => {
    server.handle((_req, res) => sendJson(res, 400, { error: 'invalid_grant' }));
    const onRefresh = await sandboxClient()
      .refresh('ory_rt_old')
      .catch((e) => e);
    expect(onRefresh).toMatchObject({ code: 'oauth', error: 'invalid_grant', reconnectRequired: true });
    const onExchange = await sandboxClient()
      .exchangeCode({ code: 'c' })
      .catch((e) => e);
    expect(onExchange).toMatchObject({ code: 'oauth', error: 'invalid_grant', reconnectRequired: false });
  });

  it("gives no hint for an error code it does not know, even one named like an Object's property", async () => {
    for (const code of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'server_error']) {
      server.handle((_req, res) => sendJson(res, 400, { error: code }));
      const error = await sandboxClient()
        .refresh('ory_rt_old')
        .catch((e) => e);
      expect(error).toBeInstanceOf(QontoOAuthError);
      expect(error).toMatchObject({ error: code, hint: undefined, reconnectRequired: false });
      expect(error.message).toBe(`Qonto refused to refresh the tokens: ${code}.`);
    }
  });

  it('never retries the token POST', async () => {
    server.handle((_req, res) => sendJson(res, 503, { message: 'unavailable' }));
    const error = await sandboxClient()
      .exchangeCode({ code: 'c' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(QontoUnexpectedResponseError);
    expect(server.requests).toHaveLength(1);
  });

  const malformed: [string, (res: import('node:http').ServerResponse) => void, RegExp][] = [
    [
      'invalid JSON',
      (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"access'),
      /200 with an application\/json body \(8 bytes\) instead of a token response/,
    ],
    // Described by its type and size, never quoted: a page may echo anything.
    ['HTML', (res) => sendHtml(res, 200, '<title>Sign in</title>'), /200 with an HTML page \(22 bytes\)/],
    [
      'a redirect',
      (res) => res.writeHead(302, { location: 'https://login.example/x' }).end(),
      /302.*login\.example/,
    ],
    [
      'no access_token',
      (res) => sendJson(res, 200, { ...TOKEN_RESPONSE, access_token: undefined }),
      /no access_token/,
    ],
    [
      'a bad expires_in',
      (res) => sendJson(res, 200, { ...TOKEN_RESPONSE, expires_in: 'soon' }),
      /expires_in/,
    ],
  ];
  for (const [what, answer, message] of malformed) {
    it(`turns ${what} from a production endpoint into QontoUnexpectedResponseError`, async () => {
      server.handle((_req, res) => answer(res));
      const error = await productionClient()
        .exchangeCode({ code: 'c' })
        .catch((e) => e);
      expect(error).toBeInstanceOf(QontoUnexpectedResponseError);
      expect(error.message).toMatch(message);
    });
  }

  it('turns HTML from the sandbox into QontoStagingGateError', async () => {
    server.handle((_req, res) => sendHtml(res, 200, '<title>OneLogin</title>'));
    const error = await sandboxClient()
      .refresh('r')
      .catch((e) => e);
    expect(error).toBeInstanceOf(QontoStagingGateError);
  });

  it("turns the sandbox's HTML 5xx (an outage page) into QontoUnexpectedResponseError saying to retry later", async () => {
    server.handle((_req, res) => sendHtml(res, 502, '<html><body>Bad Gateway</body></html>'));
    const error = await sandboxClient()
      .refresh('r')
      .catch((e) => e);
    expect(error).toBeInstanceOf(QontoUnexpectedResponseError);
    expect(error).toMatchObject({ status: 502 });
    expect(error.message).toMatch(
      /answered 502 with an HTML page .* Qonto, or a proxy in front of it, is down/,
    );
    expect(error.message).toMatch(/Fix: retry later/);
  });

  it('gives QontoTimeoutError when the token endpoint does not answer in time', async () => {
    server.handle(() => undefined);
    const error = await productionClient({ timeoutMs: 50 })
      .exchangeCode({ code: 'c' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(QontoTimeoutError);
  });

  it('gives QontoNetworkError when nothing listens', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const closed = { ...sandboxEndpointsAt(`http://127.0.0.1:${port}`), requiresStagingToken: false };
    const error = await productionClient({ environment: closed })
      .exchangeCode({ code: 'c' })
      .catch((e) => e);
    expect(error).toBeInstanceOf(QontoNetworkError);
  });
});

describe('revokeConsent', () => {
  it('sends DELETE /v2/oauth2/consents with the bearer token and accepts any 2xx', async () => {
    server.handle((_req, res) => {
      res.writeHead(204).end();
    });
    await sandboxClient().revokeConsent('ory_at_access');
    server.handle((_req, res) => sendJson(res, 200, {}));
    await sandboxClient().revokeConsent('ory_at_access');
    for (const recorded of server.requests) {
      expect(recorded).toMatchObject({ method: 'DELETE', url: '/v2/oauth2/consents' });
      expect(recorded.rawHeaders.authorization).toBe('Bearer ory_at_access');
      expect(recorded.rawHeaders['X-Qonto-Staging-Token']).toBe('stg-token');
    }
  });

  it('names the organization in X-Qonto-Organization-Id when given (the user OAuth flow), and only then', async () => {
    server.handle((_req, res) => {
      res.writeHead(204).end();
    });
    await sandboxClient().revokeConsent('ory_at_user', { organizationId: 'org-2' });
    await sandboxClient().revokeConsent('ory_at_access');
    const [named, plain] = server.requests;
    expect(named?.rawHeaders['X-Qonto-Organization-Id']).toBe('org-2');
    expect(Object.keys(plain?.rawHeaders ?? {}).map((n) => n.toLowerCase())).not.toContain(
      'x-qonto-organization-id',
    );
    for (const organizationId of ['', 'org 2', 'org-2\r\nX-Injected: 1', 42]) {
      const error = await sandboxClient()
        .revokeConsent('ory_at_user', { organizationId: organizationId as string })
        .catch((e) => e);
      expect(error).toBeInstanceOf(QontoConfigError);
      expect(error.message).toMatch(/^organizationId must be an organization's id/);
    }
    expect(server.requests).toHaveLength(2);
  });

  it('turns a refusal into QontoApiError with the status', async () => {
    server.handle((_req, res) =>
      sendJson(res, 401, { errors: [{ code: 'unauthorized', detail: 'expired' }] }),
    );
    const error = await productionClient()
      .revokeConsent('ory_at_access')
      .catch((e) => e);
    expect(error).toBeInstanceOf(QontoApiError);
    expect(error).toMatchObject({ status: 401, errors: [{ code: 'unauthorized', detail: 'expired' }] });
  });

  it('reports refusals in the words of every other Business API error', async () => {
    server.handle((_req, res) =>
      sendJson(res, 403, { errors: [{ code: 'forbidden', detail: 'missing scope' }] }),
    );
    const refused = await productionClient()
      .revokeConsent('ory_at_access')
      .catch((e) => e);
    expect(refused).toMatchObject({ code: 'api', status: 403 });
    expect(refused.message).toContain(
      'Qonto API DELETE /v2/oauth2/consents answered 403: forbidden: missing scope.',
    );
    expect(refused.message).toContain('organization.read');

    server.handle((_req, res) => {
      res.writeHead(302, { location: 'https://elsewhere.example/login?ticket=abc123' }).end();
    });
    const redirected = await productionClient()
      .revokeConsent('ory_at_access')
      .catch((e) => e);
    expect(redirected).toBeInstanceOf(QontoUnexpectedResponseError);
    expect(redirected).toMatchObject({ status: 302 });
    expect(redirected.message).toContain('elsewhere.example');
    expect(redirected.message).not.toContain('abc123');
  });
});

describe('parseAuthorizationCallback', () => {
  it('returns the code when the state matches', () => {
    const url = 'http://localhost:3001/auth/qonto/callback?code=ory_ac_1&state=s1';
    expect(parseAuthorizationCallback(url, { expectedState: 's1' })).toEqual({
      code: 'ory_ac_1',
      state: 's1',
    });
    expect(
      parseAuthorizationCallback({ code: 'ory_ac_1', state: ['s1'] }, { expectedState: 's1' }).code,
    ).toBe('ory_ac_1');
  });

  it("reads a request path with its query (Express's req.url) and a bare query string alike", () => {
    for (const input of [
      '/auth/qonto/callback?code=ory_ac_1&state=s1',
      '/auth/qonto/callback?code=ory_ac_1&state=s1#done',
      '?code=ory_ac_1&state=s1',
      'code=ory_ac_1&state=s1',
    ]) {
      expect(parseAuthorizationCallback(input, { expectedState: 's1' })).toEqual({
        code: 'ory_ac_1',
        state: 's1',
      });
    }
  });

  it('turns a denied consent into QontoOAuthError access_denied', () => {
    const query = new URLSearchParams({
      error: 'access_denied',
      error_description: 'The user denied',
      state: 's1',
    });
    expect(() => parseAuthorizationCallback(query, { expectedState: 's1' })).toThrow(
      expect.objectContaining({ code: 'oauth', error: 'access_denied', errorDescription: 'The user denied' }),
    );
  });

  it('believes an error= only once its state matched: else a generic invalid_state, the description dropped', () => {
    for (const [query, expectedState] of [
      ['?error=access_denied&error_description=Call+0800+SCAM&state=forged', 's1'],
      ['?error=access_denied&error_description=Call+0800+SCAM', 's1'],
      ['?error=server_error&error_description=Call+0800+SCAM&state=s1', undefined],
    ] as const) {
      let error: (Error & { error?: string; errorDescription?: string }) | undefined;
      try {
        parseAuthorizationCallback(query, { expectedState });
      } catch (caught) {
        error = caught as typeof error;
      }
      expect(error).toBeInstanceOf(QontoOAuthError);
      expect(error).toMatchObject({ error: 'invalid_state', errorDescription: undefined });
      expect(error?.message).not.toMatch(/SCAM|access_denied|server_error/);
    }
  });

  it('cuts a 7 kB error and error_description short, and removes control characters', () => {
    const huge = 'x'.repeat(7000);
    const query = new URLSearchParams({
      error: `${huge}\r\nforged`,
      error_description: `line one\r\n[ERROR] forged log line\u202e${huge}`,
      state: 's1',
    });
    let error: (QontoOAuthError & { errorDescription: string }) | undefined;
    try {
      parseAuthorizationCallback(query, { expectedState: 's1' });
    } catch (caught) {
      error = caught as typeof error;
    }
    expect(error).toBeInstanceOf(QontoOAuthError);
    expect(error!.error.length).toBeLessThanOrEqual(65);
    expect(error!.errorDescription.length).toBeLessThanOrEqual(301);
    expect(error!.errorDescription).toMatch(/^line one \[ERROR\] forged log line x+…$/);
    expect(error!.message.length).toBeLessThan(700);
    expect(error!.message).not.toMatch(/[\r\n\u202e]/);
  });

  it('compares state byte for byte over UTF-8, whatever the characters', () => {
    const state = 'état-✓-42';
    const query = new URLSearchParams({ code: 'c', state });
    expect(parseAuthorizationCallback(query, { expectedState: state }).state).toBe(state);
    // Same length in characters, different bytes; same bytes but one longer.
    for (const expectedState of ['etat-✓-42', 'état-✓-43', `${state}0`, state.slice(0, -1)]) {
      expect(() => parseAuthorizationCallback(query, { expectedState })).toThrow(
        expect.objectContaining({ error: 'invalid_state' }),
      );
    }
  });

  it('refuses a missing or different state with invalid_state', () => {
    for (const [query, expectedState] of [
      ['?code=c&state=other', 's1'],
      ['?code=c', 's1'],
      ['?code=c&state=s1', undefined],
    ] as const) {
      expect(() => parseAuthorizationCallback(query, { expectedState })).toThrow(
        expect.objectContaining({ error: 'invalid_state' }),
      );
    }
  });
});
