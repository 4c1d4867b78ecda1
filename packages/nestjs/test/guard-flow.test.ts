import { Logger } from '@nestjs/common';
import { QONTO_STATE_COOKIE_NAME } from '@qonto-oauth/nestjs';
import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { completeAuthorization } from '@qonto-oauth/sandbox/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CALLBACK_PATH, type HttpAdapterName, startTestApp, type TestApp } from './helpers/app.js';
import { cookiesOf, get } from './helpers/http.js';

let sandbox: QontoSandbox;
let app: TestApp | undefined;

beforeAll(async () => {
  sandbox = await startQontoSandbox();
});
afterEach(async () => {
  await app?.close();
  app = undefined;
});
afterAll(async () => {
  await sandbox.close();
});

/** What the browser does: open the app's login route, follow it to Qonto, log in and consent. */
async function login(
  test: TestApp,
  o: { deny?: boolean; user?: number; query?: string; organizationId?: string } = {},
): Promise<{ callbackUrl: string; cookie: string }> {
  const start = await get(`${test.origin}/auth/qonto${o.query ?? ''}`);
  expect(start.status).toBe(302);
  const authorizeUrl = start.headers.get('location') ?? '';
  expect(authorizeUrl.startsWith(sandbox.endpoints.authorizationUrl)).toBe(true);
  const user = sandbox.users[o.user ?? 1]!;
  const callbackUrl = await completeAuthorization(authorizeUrl, {
    email: user.email,
    password: user.password,
    ...(o.organizationId === undefined ? {} : { organizationId: o.organizationId }),
    ...(o.deny ? { deny: true } : {}),
  });
  expect(callbackUrl.startsWith(test.redirectUri)).toBe(true);
  return { callbackUrl, cookie: cookiesOf(start) };
}

// biome-ignore lint/suspicious/noExplicitAny: test bodies are read field by field and checked by the assertions.
type Json = Record<string, any>;

async function json(response: Response): Promise<Json> {
  return (await response.json()) as Json;
}

/** The documented body of a refused state: core's `invalid_state`, with the store's reason as the message. */
function refusedState(message: RegExp): Json {
  return {
    statusCode: 403,
    error: 'Forbidden',
    message: expect.stringMatching(message),
    code: 'oauth',
    oauthError: 'invalid_state',
  };
}

describe.each<HttpAdapterName>(['express', 'fastify'])(
  "QontoAuthGuard on Nest's %s adapter, against the emulator",
  (adapter) => {
    const boot = (overrides = {}) => startTestApp(sandbox, overrides, adapter);

    it('runs the whole login: redirect with state and PKCE, callback, @QontoUser() profile and tokens', async () => {
      app = await boot();
      const before = Date.now();
      const { callbackUrl, cookie } = await login(app);
      expect(new URL(callbackUrl).searchParams.get('code')).toBeTruthy();

      const response = await get(callbackUrl, cookie);
      expect(response.status).toBe(200);
      const { profile, tokens } = await json(response);
      const user = sandbox.users[1]!;
      expect(profile).toMatchObject({
        email: user.email,
        firstName: user.firstName,
        lastName: user.lastName,
        userId: user.id,
        organization: { id: user.organizations[0]!.id, legalName: user.organizations[0]!.legalName },
      });
      expect(tokens).toMatchObject({
        tokenType: 'bearer',
        scopes: expect.arrayContaining(['organization.read']),
      });
      expect(typeof tokens.accessToken).toBe('string');
      expect(typeof tokens.refreshToken).toBe('string');
      expect(typeof tokens.idToken).toBe('string');
      // validate received the token response's expires_in (3600 s): the access token expires an hour after login.
      expect(tokens.expiresAt).toBeGreaterThanOrEqual(before + 3_590_000);
      expect(tokens.expiresAt).toBeLessThanOrEqual(Date.now() + 3_600_000);
      // The state cookie is single-use: the callback clears it.
      expect(response.headers.getSetCookie().join()).toContain(`${QONTO_STATE_COOKIE_NAME}=; Max-Age=0`);
      // The app's tokens work against the API.
      const organization = await get(`${app.origin}/organization`, undefined, tokens.accessToken);
      expect(organization.status).toBe(200);
    });

    it('sets the state cookie HttpOnly, SameSite=Lax and scoped to the callback path, and sends PKCE', async () => {
      app = await boot();
      const start = await get(`${app.origin}/auth/qonto`);
      const setCookie = start.headers.getSetCookie()[0] ?? '';
      expect(setCookie).toContain(`Path=${CALLBACK_PATH}`);
      expect(setCookie).toMatch(/HttpOnly; SameSite=Lax/);
      const authorize = new URL(start.headers.get('location') ?? '');
      expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
      expect(authorize.searchParams.get('state')?.length).toBeGreaterThanOrEqual(32);
      expect(authorize.searchParams.get('redirect_uri')).toBe(app.redirectUri);
    });

    it('passes ?organization_id= on to Qonto, so a member of two organizations skips the picker', async () => {
      app = await boot();
      const organization = sandbox.users[0]!.organizations[1]!;
      const { callbackUrl, cookie } = await login(app, {
        user: 0,
        query: `?organization_id=${organization.id}`,
      });
      const { profile } = await json(await get(callbackUrl, cookie));
      expect(profile.organization.id).toBe(organization.id);
    });

    it('answers 401 with a readable message when the user denies consent', async () => {
      app = await boot();
      const { callbackUrl, cookie } = await login(app, { deny: true });
      const response = await get(callbackUrl, cookie);
      expect(response.status).toBe(401);
      const body = await json(response);
      expect(body).toEqual({
        statusCode: 401,
        error: 'Unauthorized',
        message: expect.stringMatching(/access_denied.*declined/),
        code: 'oauth',
        oauthError: 'access_denied',
      });
    });

    /** The callback URL of a started login, with `params` in place of Qonto's code. */
    function callbackWith(callbackUrl: string, params: Record<string, string>): string {
      const url = new URL(callbackUrl);
      url.searchParams.delete('code');
      for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
      return url.href;
    }

    it('answers 502 with core hint when Qonto redirects back with another error and the state matches', async () => {
      app = await boot();
      const { callbackUrl, cookie } = await login(app);
      const response = await get(
        callbackWith(callbackUrl, { error: 'invalid_scope', error_description: 'unknown scope' }),
        cookie,
      );
      expect(response.status).toBe(502);
      const body = await json(response);
      expect(body).toMatchObject({ code: 'oauth', oauthError: 'invalid_scope' });
      expect(body.message).toMatch(/invalid_scope \(unknown scope\).*scopes/);
    });

    it('answers 403 invalid_state for an ?error= whose state does not match, saying why, its text dropped', async () => {
      app = await boot();
      const { callbackUrl, cookie } = await login(app);
      const scam = { error: 'access_denied', error_description: 'Call 0800 SCAM now' };
      for (const [url, sent, why] of [
        [
          callbackWith(callbackUrl, { ...scam, state: 'forged' }),
          cookie,
          /state does not match this browser/,
        ],
        [
          `${app.redirectUri}?error=access_denied&error_description=Call+0800+SCAM+now&state=x`,
          undefined,
          /login cookie is missing/,
        ],
      ] as const) {
        const response = await get(url, sent);
        expect(response.status).toBe(403);
        const body = await json(response);
        expect(body).toEqual(refusedState(why));
        expect(body.message).not.toMatch(/SCAM|declined/);
      }
    });

    it('cuts a 7 kB ?error= short before it reaches the response', async () => {
      app = await boot();
      const { callbackUrl, cookie } = await login(app);
      const huge = 'e'.repeat(7000);
      const response = await get(callbackWith(callbackUrl, { error: huge, error_description: huge }), cookie);
      expect(response.status).toBe(502);
      const text = await response.text();
      expect(text.length).toBeLessThan(1500);
      expect(text).not.toContain('e'.repeat(400));
    });

    it('answers 403 for a tampered state cookie, without asking Qonto for a token', async () => {
      app = await boot();
      const { callbackUrl, cookie } = await login(app);
      const [name, value = ''] = cookie.split('=');
      const tampered = `${name}=${value.slice(0, -4)}${value.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
      sandbox.requests.clear();
      const response = await get(callbackUrl, tampered);
      expect(response.status).toBe(403);
      expect(await json(response)).toEqual(refusedState(/login cookie failed its integrity check/));
      expect(sandbox.requests.filter((r) => r.path === '/oauth2/token')).toEqual([]);
    });

    it('answers 403 for a callback without the state cookie (another browser, or a forged link)', async () => {
      app = await boot();
      const { callbackUrl } = await login(app);
      const response = await get(callbackUrl);
      expect(response.status).toBe(403);
      expect(await json(response)).toEqual(refusedState(/login cookie is missing/));
    });

    it('answers 502 naming the likely cause for credentials of the other environment (invalid_client)', async () => {
      app = await boot({ clientSecret: 'the-production-secret' });
      const { callbackUrl, cookie } = await login(app);
      const response = await get(callbackUrl, cookie);
      expect(response.status).toBe(502);
      const body = await json(response);
      expect(body).toMatchObject({ code: 'oauth', oauthError: 'invalid_client' });
      expect(body.message).toMatch(/other environment/);
      expect(body.message).not.toContain('the-production-secret');
    });

    it('answers 502 naming X-Qonto-Staging-Token at the login route when the staging token is wrong, before Qonto', async () => {
      const wrongToken = `not-the-staging-token-${adapter}`;
      app = await boot({ stagingToken: wrongToken });
      sandbox.requests.clear();
      const logged = vi.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
      try {
        const response = await get(`${app.origin}/auth/qonto`);
        // Refused where the login starts: no redirect, so the member never sees Qonto's login, SMS code and consent.
        expect(response.status).toBe(502);
        expect(response.headers.get('location')).toBeNull();
        expect(sandbox.requests.filter((r) => r.path === '/oauth2/auth')).toEqual([]);
        expect(sandbox.requests.filter((r) => r.path === '/oauth2/token')).toHaveLength(1);
        const body = await json(response);
        expect(body).toMatchObject({ statusCode: 502, error: 'Bad Gateway', code: 'staging_gate' });
        expect(body.message).toMatch(/X-Qonto-Staging-Token/);
        expect(body.message).toMatch(/QONTO_STAGING_TOKEN/);
        expect(body.message).toContain('Sign-in stopped before the redirect to Qonto.');
        expect(JSON.stringify(body)).not.toContain(wrongToken);
        // The fix also reaches the server's log, where whoever can apply it reads (Nest logs no HttpException).
        const lines = logged.mock.calls.map((call) => String(call[0]));
        expect(lines.some((line) => /QontoStagingGateError: .*X-Qonto-Staging-Token/.test(line))).toBe(true);
        expect(lines.join('\n')).not.toContain(wrongToken);

        // Checked once per process and staging token: the next login is refused without another request.
        expect((await get(`${app.origin}/auth/qonto`)).status).toBe(502);
        expect(sandbox.requests.filter((r) => r.path === '/oauth2/token')).toHaveLength(1);
      } finally {
        logged.mockRestore();
      }
    });

    it('refuses to boot in the sandbox without a staging token', async () => {
      await expect(boot({ stagingToken: undefined })).rejects.toThrow(/needs a staging token/);
    });
  },
);
