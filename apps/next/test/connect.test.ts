import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TestBrowser } from './helpers/browser';
import { consent, signIn, singleOrganizationUser, startSignInWithCsrf } from './helpers/flow';
import { freePort, type RunningNextApp, startNextApp } from './helpers/next-app';

const CLIENT_ID = 'example-next-test';
const CLIENT_SECRET = 'example-next-test-secret';
const AUTH_SECRET = 'example-next-test-auth-secret-0123456789';
const SESSION_COOKIE = 'qonto-next.session-token';
const ONE_HOUR_AND_A_BIT = 3_700_000;

let sandbox: QontoSandbox;
let app: RunningNextApp;
let browser: TestBrowser;

/** What a person reads: the HTML without its scripts (Next.js's router payload repeats the URL there, unrendered). */
const shownText = (html: string) => html.replace(/<script\b[\s\S]*?<\/script>/g, '');
const tokenRequests = () => sandbox.requests.filter((r) => r.method === 'POST' && r.path === '/oauth2/token');

beforeAll(async () => {
  sandbox = await startQontoSandbox();
  const port = await freePort();
  sandbox.addClient({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [`http://localhost:${port}/api/auth/callback/qonto`],
  });
  app = await startNextApp(port, {
    QONTO_SANDBOX_URL: sandbox.url,
    QONTO_CLIENT_ID: CLIENT_ID,
    QONTO_CLIENT_SECRET: CLIENT_SECRET,
    QONTO_STAGING_TOKEN: sandbox.stagingToken,
    AUTH_SECRET,
  });
});

afterAll(async () => {
  await app?.stop();
  await sandbox?.close();
});

beforeEach(() => {
  browser = new TestBrowser(app.origin);
});

describe('example-next against the emulator', () => {
  it('offers "Connect with Qonto" to a signed-out visitor', async () => {
    const home = await browser.follow('/');
    expect(home.status).toBe(200);
    expect(home.body).toContain('Connect with Qonto');
    expect(home.body).toContain(`Qonto emulator (sandbox mode) at ${sandbox.url}`);
  });

  it('connects through the "Connect with Qonto" button and shows the member, organization, accounts and transactions', async () => {
    const user = singleOrganizationUser(sandbox);
    const clicked = await browser.submit('/', 'Connect with Qonto');
    expect(clicked.status).toBe(303);
    const authorizeUrl = clicked.headers.get('location') ?? '';
    expect(authorizeUrl.startsWith(`${sandbox.url}/oauth2/auth?`)).toBe(true);

    const page = await browser.follow(await consent(authorizeUrl, user));
    expect(page.url.pathname).toBe('/');
    expect(page.status).toBe(200);
    expect(page.body).toContain(user.organizations[0]?.legalName);
    expect(page.body).toContain(user.email);
    expect(page.body).toContain('Bank accounts');
    expect(page.body).toMatch(/<table data-testid="transactions">[\s\S]*<td>[^<]+<\/td>/);
    // A transaction's attachment is linked with Qonto's temporary URL, which downloads without a token, behind the
    // sandbox's gate (the browser's web-app login, or the staging header).
    const receipt = /<a class="receipt" href="([^"]+)">[^<]+<\/a>/.exec(page.body);
    expect(receipt).not.toBeNull();
    const file = await fetch(receipt![1]!.replace(/&amp;/g, '&'), {
      headers: { 'X-Qonto-Staging-Token': sandbox.stagingToken },
    });
    expect(file.headers.get('content-type')).toBe('application/pdf');
    expect(page.body).not.toContain('answered 404');
    expect(browser.cookie(SESSION_COOKIE)).toBeDefined();
  });

  it('uses its own cookie names and keeps the Qonto tokens out of the browser-visible session', async () => {
    const user = singleOrganizationUser(sandbox);
    await signIn(browser, user);
    expect(browser.cookieNames().length).toBeGreaterThan(0);
    expect(browser.cookieNames().every((name) => name.startsWith('qonto-next.'))).toBe(true);

    const session = (await (await browser.fetch('/api/auth/session')).json()) as Record<string, unknown>;
    expect(session.organizationName).toBe(user.organizations[0]?.legalName);
    const text = JSON.stringify(session);
    for (const field of ['access_token', 'refresh_token', 'id_token', 'accessToken', 'refreshToken']) {
      expect(text).not.toContain(field);
    }
  });

  it('rotates the tokens on "Refresh tokens", and recovers with it once Qonto says the access token expired', async () => {
    const user = singleOrganizationUser(sandbox);
    await signIn(browser, user);
    const before = browser.cookie(SESSION_COOKIE);
    sandbox.requests.clear();

    const refreshed = await browser.submit('/', 'Refresh tokens');
    expect(refreshed.status).toBe(303);
    expect(refreshed.headers.get('location')).toContain('/?refreshed=1');
    expect(tokenRequests()).toHaveLength(1);
    expect(browser.cookie(SESSION_COOKIE)).not.toBe(before);
    const after = await browser.follow(refreshed.headers.get('location') ?? '/');
    expect(after.body).toContain('Tokens refreshed');
    expect(after.body).toContain(user.organizations[0]?.legalName);

    // An hour later by Qonto's clock the access token is refused; the rotated refresh token still works.
    sandbox.clock.advance(ONE_HOUR_AND_A_BIT);
    const expired = await browser.follow('/');
    expect(expired.body).toContain('Qonto refused the access token');
    expect(expired.body).not.toContain(user.organizations[0]?.legalName);

    const again = await browser.submit('/', 'Refresh tokens');
    expect(again.headers.get('location')).toContain('/?refreshed=1');
    expect(tokenRequests()).toHaveLength(2);
    const recovered = await browser.follow('/');
    expect(recovered.body).toContain(user.organizations[0]?.legalName);
    expect(recovered.body).toMatch(/<table data-testid="transactions">/);
  });

  it('keeps the session when a refresh fails for a reason that may pass, and says so', async () => {
    const user = singleOrganizationUser(sandbox);
    await signIn(browser, user);
    sandbox.faults.failNext('POST /oauth2/token', 503);
    try {
      const failed = await browser.submit('/', 'Refresh tokens');
      expect(failed.status).toBe(303);
      const page = await browser.follow(failed.headers.get('location') ?? '/');
      expect(page.url.searchParams.get('problem')).toBe('temporarily_unavailable');
      expect(page.body).toContain('Qonto is temporarily unavailable. You are still connected');
      expect(page.body).toContain(user.organizations[0]?.legalName);
    } finally {
      sandbox.faults.reset();
    }
    const retried = await browser.submit('/', 'Refresh tokens');
    expect(retried.headers.get('location')).toContain('/?refreshed=1');
  });

  it('disconnects: revokes the consent at Qonto, signs out, and offers to connect again', async () => {
    const user = singleOrganizationUser(sandbox);
    await signIn(browser, user);
    sandbox.requests.clear();

    const disconnected = await browser.submit('/', 'Disconnect');
    expect(disconnected.status).toBe(303);
    expect(sandbox.requests.some((r) => r.method === 'DELETE' && r.path === '/v2/oauth2/consents')).toBe(
      true,
    );
    expect(browser.cookie(SESSION_COOKIE)).toBeUndefined();

    const home = await browser.follow(disconnected.headers.get('location') ?? '/');
    expect(home.body).toContain('Disconnected: the consent was revoked');
    expect(home.body).toContain('Connect with Qonto');
    expect(home.body).not.toContain(user.organizations[0]?.legalName);
  });

  it('signs out without revoking the consent', async () => {
    await signIn(browser, singleOrganizationUser(sandbox));
    sandbox.requests.clear();
    const signedOut = await browser.submit('/', 'Sign out');
    expect(signedOut.status).toBe(303);
    expect(sandbox.requests.some((r) => r.path === '/v2/oauth2/consents')).toBe(false);
    expect((await browser.follow('/')).body).toContain('Connect with Qonto');
  });

  it('ends a denied consent on the error page with the "declined" hint', async () => {
    const callback = await consent(await startSignInWithCsrf(browser), singleOrganizationUser(sandbox), {
      deny: true,
    });
    const page = await browser.follow(callback);
    expect(page.url.pathname).toBe('/auth/error');
    expect(page.url.searchParams.get('error')).toBe('OAuthCallbackError');
    expect(page.url.searchParams.get('failure')).toBe('access_denied');
    expect(page.body).toContain('Connection declined');
    expect(page.body).toContain('You declined the consent on Qonto');
    expect(browser.cookie(SESSION_COOKIE)).toBeUndefined();
  });

  it("names the other environment's credentials when Qonto refuses the client", async () => {
    // The emulator now expects another secret for this client id: as if the app had the other environment's.
    const port = new URL(app.origin).port;
    const registration = {
      clientId: CLIENT_ID,
      redirectUris: [`http://localhost:${port}/api/auth/callback/qonto`],
    };
    sandbox.addClient({ ...registration, clientSecret: 'the-production-secret' });
    try {
      const page = await signIn(browser, singleOrganizationUser(sandbox));
      expect(page.url.pathname).toBe('/auth/error');
      expect(page.url.searchParams.get('error')).toBe('Configuration');
      expect(page.url.searchParams.get('failure')).toBe('invalid_client');
      expect(page.body).toContain('credentials of the other environment');
    } finally {
      sandbox.addClient({ ...registration, clientSecret: CLIENT_SECRET });
    }
  });

  it('refuses a server action posted by another site with a readable 403, and changes nothing', async () => {
    const user = singleOrganizationUser(sandbox);
    await signIn(browser, user);
    sandbox.requests.clear();
    for (const label of ['Refresh tokens', 'Disconnect', 'Sign out']) {
      for (const headers of [
        { origin: 'https://evil.example' },
        { origin: 'null' },
        { referer: 'https://evil.example/page' },
        {},
      ] as Record<string, string>[]) {
        const answer = await browser.submit('/', label, headers);
        const page = await answer.text();
        expect([label, headers, answer.status]).toEqual([label, headers, 403]);
        expect(page).toContain('<h1>This request did not come from this app</h1>');
        expect(page).toContain(`open <a href="${app.origin}/">${app.origin}</a> and try again`);
        expect(page).not.toContain('evil.example');
      }
    }
    // Nothing reached Qonto's token endpoint or revoked anything (the page itself reads the account, as always).
    expect(tokenRequests()).toHaveLength(0);
    expect(sandbox.requests.some((r) => r.method === 'DELETE')).toBe(false);
    expect((await browser.follow('/')).body).toContain(user.organizations[0]?.legalName);
    // Without Origin, a Referer on the app is enough; Host and X-Forwarded-Host count for nothing.
    const byReferer = await browser.submit('/', 'Refresh tokens', { referer: `${app.origin}/` });
    expect(byReferer.headers.get('location')).toContain('/?refreshed=1');
    const forgedHost = await browser.submit('/', 'Refresh tokens', {
      origin: 'http://evil.example',
      'x-forwarded-host': 'evil.example',
    });
    expect(forgedHost.status).toBe(403);
  });

  it('a forged callback (state missing or wrong) ends on "could not be verified", never showing its query text', async () => {
    await startSignInWithCsrf(browser); // this browser has a sign-in in progress
    for (const query of [
      'error=server_error&error_description=Call%20%2B33%20123%20to%20unlock&state=forged',
      'error=call_us_now&state=forged',
      'error=access_denied',
      'code=ory_ac_forged&state=forged',
    ]) {
      const page = await browser.follow(`/api/auth/callback/qonto?${query}`);
      expect([query, page.url.pathname, page.url.searchParams.get('failure')]).toEqual([
        query,
        '/auth/error',
        'invalid_state',
      ]);
      expect(page.body).toContain('The sign-in could not be verified');
      expect(shownText(page.body)).not.toMatch(/\+33|Call|unlock|call_us_now|server_error|declined/);
    }
    // The error page's own query string is anybody's to write: only codes the app knows are shown.
    const crafted = await browser.follow('/auth/error?error=Call_us_now&failure=call_us_now');
    expect(shownText(crafted.body)).not.toMatch(/call_us_now/i);
    expect(crafted.body).toContain('Connecting Qonto did not work');
  });

  it('prints no secret in its log', () => {
    const output = app.output();
    for (const secret of [CLIENT_SECRET, sandbox.stagingToken, AUTH_SECRET])
      expect(output).not.toContain(secret);
  });
});
