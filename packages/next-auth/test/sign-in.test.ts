import { once } from 'node:events';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { completeAuthorization } from '@qonto-oauth/sandbox/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type App, type AppOptions, type Framework, startApp } from './helpers/apps.js';
import { clearQontoEnv } from './helpers/env.js';
import { type OtherOAuthServer, startOtherOAuthServer } from './helpers/other-oauth-server.js';

const HOUR = 3_600_000;
const CLIENT = { clientId: 'next-auth-tests', clientSecret: 'next-auth-tests-secret' };

let sandbox: QontoSandbox;
beforeAll(async () => {
  sandbox = await startQontoSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => {
  clearQontoEnv();
  sandbox.requests.clear();
});

/** Starts an app on `framework` against `emulator` (the file's own by default), registered as its client. */
async function startAppOn(
  framework: Framework,
  o: Partial<AppOptions> = {},
  emulator: QontoSandbox = sandbox,
): Promise<App> {
  const app = await startApp(framework, {
    ...CLIENT,
    environment: emulator.endpoints,
    stagingToken: emulator.stagingToken,
    ...o,
  });
  emulator.addClient({ ...CLIENT, redirectUris: [app.callbackUrl('qonto')] });
  return app;
}

describe.each<Framework>(['authjs-v5', 'nextauth-v4'])('%s: Connect with Qonto', (framework) => {
  let app: App | undefined;
  const user = () => sandbox.users[1]!;

  afterEach(async () => {
    await app?.close();
    app = undefined;
    vi.unstubAllEnvs();
  });

  async function start(o: Partial<AppOptions> = {}): Promise<App> {
    app = await startAppOn(framework, o);
    return app;
  }

  const tokenRequests = () =>
    sandbox.requests.filter((r) => r.method === 'POST' && r.path === '/oauth2/token');

  // Auth.js v5 checks the staging token with one probe of the token endpoint per process (tested below): make it
  // before the tests, so that each one counts only its own token requests, whatever the order they run in.
  beforeAll(async () => {
    if (framework !== 'authjs-v5') return;
    const warm = await startAppOn(framework);
    await warm.browser().startSignIn('qonto');
    await warm.close();
  });

  it('signs in and keeps the Qonto profile in the session, the id_token accepted', async () => {
    const browser = (await start()).browser();
    const authorizeUrl = new URL(await browser.startSignIn('qonto'));
    expect(authorizeUrl.origin + authorizeUrl.pathname).toBe(`${sandbox.url}/oauth2/auth`);
    expect(authorizeUrl.searchParams.get('scope')).toBe(
      'offline_access openid membership.read organization.read',
    );
    expect(authorizeUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorizeUrl.searchParams.get('state')).toBeTruthy();

    const callback = await completeAuthorization(authorizeUrl.href, user());
    const landing = await browser.callback(callback);
    expect(landing.headers.get('location')).toBe(`${browser.origin}/dashboard`);

    const session = await browser.session();
    const organization = user().organizations[0]!;
    expect(session).toMatchObject({
      user: { name: `${user().firstName} ${user().lastName}`, email: user().email },
      qonto: {
        id: expect.any(String),
        userId: user().id,
        email: user().email,
        organization: { id: organization.id, slug: organization.slug, legalName: organization.legalName },
      },
    });
    expect(tokenRequests()).toMatchObject([{ stagingToken: 'ok', clientAuth: 'post' }]);
    const apiRequests = sandbox.requests.filter((r) => r.path.startsWith('/v2/'));
    expect(apiRequests.map((r) => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining(['GET /v2/membership', 'GET /v2/organization']),
    );
    expect(apiRequests.every((r) => r.stagingToken === 'ok')).toBe(true);
  });

  it('rotates the tokens from the jwt callback: one refresh for concurrent session requests', async () => {
    // The frameworks date `expires_at` by the real clock: move the app's clock and the emulator's together.
    let ahead = 0;
    const browser = (await start({ now: () => Date.now() + ahead })).browser();
    await browser.callback(await completeAuthorization(await browser.startSignIn('qonto'), user()));
    expect(await browser.session()).not.toBeNull();
    expect(tokenRequests()).toHaveLength(1);

    ahead += HOUR + 1_000;
    sandbox.clock.advance(HOUR + 1_000);
    const sessions = await Promise.all([1, 2, 3].map(() => browser.session()));
    expect(tokenRequests()).toHaveLength(2);
    for (const session of sessions) expect(session).toMatchObject({ qonto: { email: user().email } });
    expect(sessions[0]).not.toHaveProperty('error');
    // The rotated token went back into the session cookie: no further refresh.
    await browser.session();
    expect(tokenRequests()).toHaveLength(2);
  });

  it('keeps the session when Qonto answers a refresh with 503, marked RefreshTransientError, and refreshes on the next request', async () => {
    let ahead = 0;
    const browser = (await start({ now: () => Date.now() + ahead })).browser();
    await browser.callback(await completeAuthorization(await browser.startSignIn('qonto'), user()));
    ahead += HOUR + 1_000;
    sandbox.clock.advance(HOUR + 1_000);

    sandbox.faults.failNext('POST /oauth2/token', 503);
    expect(await browser.session()).toMatchObject({
      qonto: { email: user().email },
      error: 'RefreshTransientError',
    });
    expect(tokenRequests()).toHaveLength(2);

    const recovered = await browser.session();
    expect(recovered).toMatchObject({ qonto: { email: user().email } });
    expect(recovered).not.toHaveProperty('error');
    expect(tokenRequests()).toHaveLength(3);
  });

  it('refuses a callback whose state was forged: no token request, no session', async () => {
    const browser = (await start()).browser();
    const callback = new URL(await completeAuthorization(await browser.startSignIn('qonto'), user()));
    callback.searchParams.set('state', 'forged-by-an-attacker');
    await browser.callback(callback.href);
    expect(await browser.session()).toBeNull();
    expect(tokenRequests()).toEqual([]);
  });

  it.each([
    ['a forged state', 'forged-by-an-attacker'],
    ['no state', undefined],
  ])(
    'an ?error= with %s lands on the generic error page, none of its text shown, no token request',
    async (_what, state) => {
      const browser = (await start()).browser();
      const callback = new URL(
        await completeAuthorization(await browser.startSignIn('qonto'), { ...user(), deny: true }),
      );
      const huge = 'x'.repeat(7000);
      callback.searchParams.set('error_description', `Call 0800 SCAM now ${huge}`);
      callback.searchParams.set('error', `access_denied${huge}`);
      if (state === undefined) callback.searchParams.delete('state');
      else callback.searchParams.set('state', state);
      const landing = await browser.callback(callback.href);
      const location = landing.headers.get('location') ?? '';
      expect(location).not.toMatch(/SCAM|xxxxxxxx|access_denied/);
      expect(location.length).toBeLessThan(500);
      expect(await browser.session()).toBeNull();
      expect(tokenRequests()).toEqual([]);
    },
  );

  it('refuses a callback without the PKCE cookie: no token request, no session', async () => {
    const browser = (await start()).browser();
    const callback = await completeAuthorization(await browser.startSignIn('qonto'), user());
    const before = browser.cookies.names().length;
    browser.cookies.delete((name) => name.includes('pkce'));
    expect(browser.cookies.names().length).toBe(before - 1);
    await browser.callback(callback);
    expect(await browser.session()).toBeNull();
    expect(tokenRequests()).toEqual([]);
  });

  describe('with a second OAuth provider', () => {
    let other: OtherOAuthServer;
    beforeEach(async () => {
      other = await startOtherOAuthServer();
    });
    afterEach(() => other.close());

    it('sends that provider no X-Qonto-Staging-Token, even after a Qonto sign-in', async () => {
      const started = await start({ other });
      const qontoUser = started.browser();
      await qontoUser.callback(await completeAuthorization(await qontoUser.startSignIn('qonto'), user()));
      expect(await qontoUser.session()).not.toBeNull();

      const otherUser = started.browser();
      const authorize = await fetch(await otherUser.startSignIn('other'), { redirect: 'manual' });
      await otherUser.callback(authorize.headers.get('location')!);
      expect(await otherUser.session()).toMatchObject({ user: { email: 'other@example.com' } });

      expect(other.requests.map((r) => `${r.method} ${r.path}`)).toEqual(
        expect.arrayContaining(['POST /token', 'GET /userinfo']),
      );
      const headerNames = other.requests.flatMap((r) => r.headers.map(([name]) => name.toLowerCase()));
      expect(headerNames).not.toContain('x-qonto-staging-token');
    });
  });

  it('with debug on, logs nothing that contains the staging token', async () => {
    const started = await start({ debug: true });
    const browser = started.browser();
    await browser.callback(await completeAuthorization(await browser.startSignIn('qonto'), user()));
    expect(await browser.session()).not.toBeNull();
    expect(started.logger.entries.filter((e) => e.level === 'debug').length).toBeGreaterThan(3);
    expect(started.logger.text()).not.toContain(sandbox.stagingToken);
  });

  // Auth.js v5 refuses a missing or wrong staging token when the sign-in starts (see below); NextAuth v4 has no
  // hook there, so the callback reports it.
  it.each([
    ...(framework === 'nextauth-v4'
      ? [
          ['no staging token', { stagingToken: undefined }, /sandbox needs a staging token on every request/],
          ['a wrong staging token', { stagingToken: 'stg-wrong-0001' }, /sign-in gate/],
        ]
      : []),
    [
      'the client secret of the other environment',
      { clientSecret: 'production-secret' },
      /other environment/,
    ],
  ] as [string, Partial<AppOptions>, RegExp][])(
    'with %s: no session, and the log carries core’s explanation',
    async (_case, options, message) => {
      const started = await start(options);
      const browser = started.browser();
      await browser.callback(await completeAuthorization(await browser.startSignIn('qonto'), user()));
      expect(await browser.session()).toBeNull();
      expect(started.logger.errorText()).toMatch(message);
      expect(started.logger.text()).not.toContain(sandbox.stagingToken);
      expect(started.logger.text()).not.toContain('stg-wrong-0001');
    },
  );

  // Both frameworks handle `error=` on the callback before any provider code runs, so core is not involved here.
  // Auth.js v5 keeps Qonto's `error` for its debug log only; at the error level it logs OAuthCallbackError.
  it('when the user denies consent: no session, and the app lands on its error page', async () => {
    const started = await start();
    const browser = started.browser();
    const callback = await completeAuthorization(await browser.startSignIn('qonto'), {
      ...user(),
      deny: true,
    });
    expect(new URL(callback).searchParams.get('error')).toBe('access_denied');
    const landing = await browser.callback(callback);
    expect(new URL(landing.headers.get('location')!).searchParams.get('error')).toBe(
      framework === 'authjs-v5' ? 'OAuthCallbackError' : 'Callback',
    );
    expect(await browser.session()).toBeNull();
    expect(started.logger.errorText()).toMatch(
      framework === 'authjs-v5' ? /OAuth Provider returned an error/ : /access_denied/,
    );
    expect(tokenRequests()).toEqual([]);
  });
});

describe('authjs-v5: a sign-in that cannot succeed stops before the redirect to Qonto', () => {
  let app: App | undefined;
  let emulator: QontoSandbox | undefined;
  afterEach(async () => {
    await app?.close();
    app = undefined;
    await emulator?.close();
    emulator = undefined;
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  /** Clicks "Sign in with Qonto" and returns where the browser was sent. */
  async function signInStart(): Promise<URL> {
    return new URL(await app!.browser().startSignIn('qonto'));
  }

  it('without a staging token: the error page, the log names AUTH_QONTO_STAGING_TOKEN, no network call', async () => {
    const network = vi.spyOn(globalThis, 'fetch');
    app = await startAppOn('authjs-v5', { stagingToken: undefined });
    const landing = await signInStart();
    expect(landing.origin + landing.pathname).toBe('http://localhost:3000/auth/error');
    expect(landing.searchParams.get('error')).toBe('Configuration');
    expect(app.logger.errorText()).toMatch(/needs a staging token.*set AUTH_QONTO_STAGING_TOKEN/);
    expect(network).not.toHaveBeenCalled();
    expect(sandbox.requests).toEqual([]);
  });

  it('with AUTH_QONTO_STAGING_TOKEN and AUTH_QONTO_ENV=production: refused, naming both, no network call', async () => {
    const network = vi.spyOn(globalThis, 'fetch');
    vi.stubEnv('AUTH_QONTO_ENV', 'production');
    vi.stubEnv('AUTH_QONTO_STAGING_TOKEN', 'stg-of-the-sandbox-0003');
    app = await startAppOn('authjs-v5', { environment: undefined, stagingToken: undefined });
    const landing = await signInStart();
    expect(landing.searchParams.get('error')).toBe('Configuration');
    const log = app.logger.errorText();
    expect(log).toMatch(
      /AUTH_QONTO_STAGING_TOKEN is set, but the environment \(AUTH_QONTO_ENV=production\).*refuses the staging token/,
    );
    expect(log).not.toContain('stg-of-the-sandbox-0003');
    expect(network).not.toHaveBeenCalled();
  });

  it.each([
    ['redirect', /HTTP 302 to qonto\.onelogin\.com/],
    ['html', /HTTP 200/],
  ] as const)(
    'with a wrong AUTH_QONTO_STAGING_TOKEN (gate answering with %s): every sign-in refused, after one probe',
    async (gate, answer) => {
      // An emulator of its own: a token endpoint this process has not checked a token against yet.
      emulator = await startQontoSandbox({ gate });
      vi.stubEnv('AUTH_QONTO_STAGING_TOKEN', 'stg-wrong-0002');
      app = await startAppOn(
        'authjs-v5',
        { environment: emulator.endpoints, stagingToken: undefined },
        emulator,
      );
      for (const _attempt of [1, 2, 3]) {
        const landing = await signInStart();
        expect(landing.searchParams.get('error')).toBe('Configuration');
      }
      const log = app.logger.errorText();
      expect(log).toMatch(
        /did not accept the staging token from AUTH_QONTO_STAGING_TOKEN: .*sign-in gate .*Set AUTH_QONTO_STAGING_TOKEN to/,
      );
      expect(log).toMatch(answer);
      expect(log).not.toContain('stg-wrong-0002');
      expect(emulator.requests.map((r) => `${r.method} ${r.path} ${r.stagingToken} ${r.clientAuth}`)).toEqual(
        ['POST /oauth2/token wrong none'],
      );
    },
  );

  it("with the sandbox's proxy answering the probe with an HTML 502: the sign-in goes on, the next one probes again", async () => {
    emulator = await startQontoSandbox();
    const target = emulator.url;
    // A load balancer in front of the token endpoint, down for its first request: an HTML outage page.
    let answered = 0;
    const proxy = createServer((req, res) => {
      answered += 1;
      if (answered === 1) {
        req.resume();
        res.writeHead(502, { 'content-type': 'text/html' }).end('<html><body>502 Bad Gateway</body></html>');
        return;
      }
      // Forwarded with the header names as sent: the sandbox wants X-Qonto-Staging-Token in that exact casing.
      const forward = request(
        `${target}${req.url}`,
        { method: req.method, headers: req.rawHeaders },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.rawHeaders);
          answer.pipe(res);
        },
      );
      req.pipe(forward);
    });
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    try {
      const proxied = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const environment = { ...emulator.endpoints, tokenUrl: `${proxied}/oauth2/token` };
      app = await startAppOn('authjs-v5', { environment }, emulator);
      for (const _attempt of [1, 2, 3]) {
        const authorize = await signInStart();
        expect(authorize.origin + authorize.pathname, app.logger.errorText()).toBe(
          `${emulator.url}/oauth2/auth`,
        );
      }
      expect(app.logger.errorText()).not.toMatch(/staging token/);
      // The outage proved nothing: the second sign-in probed again; its pass is remembered for the third.
      expect(answered).toBe(2);
    } finally {
      proxy.closeAllConnections();
      proxy.close();
    }
  });

  it('with the right staging token: one probe per process, then every sign-in goes straight to Qonto', async () => {
    emulator = await startQontoSandbox();
    app = await startAppOn('authjs-v5', { environment: emulator.endpoints }, emulator);
    const browser = app.browser();
    const first = new URL(await browser.startSignIn('qonto'));
    const second = new URL(await browser.startSignIn('qonto'));
    for (const authorize of [first, second]) {
      expect(authorize.origin + authorize.pathname).toBe(`${emulator.url}/oauth2/auth`);
    }
    const user = emulator.users[1]!;
    await browser.callback(await completeAuthorization(second.href, user));
    expect(await browser.session()).toMatchObject({ user: { email: user.email } });
    const tokenEndpoint = emulator.requests.filter((r) => r.path === '/oauth2/token');
    expect(tokenEndpoint.map((r) => `${r.stagingToken} ${r.clientAuth}`)).toEqual(['ok none', 'ok post']);
  });
});
