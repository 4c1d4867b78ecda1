import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from './helpers/browser';
import { startSignInWithCsrf } from './helpers/flow';
import { freePort, type RunningNextApp, startNextApp } from './helpers/next-app';

const CLIENT_ID = 'example-next-gate-test';
const CLIENT_SECRET = 'example-next-gate-test-secret';
const WRONG_STAGING_TOKEN = 'not-the-staging-token-of-this-sandbox';

let sandbox: QontoSandbox;
let app: RunningNextApp;

beforeAll(async () => {
  sandbox = await startQontoSandbox();
  const port = await freePort();
  sandbox.addClient({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [`http://localhost:${port}/api/auth/callback/qonto`],
  });
  // The app is configured with a staging token the sandbox does not know: its gate answers the token request.
  app = await startNextApp(port, {
    QONTO_SANDBOX_URL: sandbox.url,
    AUTH_QONTO_ID: CLIENT_ID,
    AUTH_QONTO_SECRET: CLIENT_SECRET,
    AUTH_QONTO_STAGING_TOKEN: WRONG_STAGING_TOKEN,
    AUTH_SECRET: 'example-next-gate-test-auth-secret',
  });
});

afterAll(async () => {
  await app?.stop();
  await sandbox?.close();
});

describe('example-next with a wrong staging token', () => {
  // The provider checks the staging token once per process, with one request to the token endpoint, before the
  // first sign-in goes to Qonto: no member goes through Qonto's login, SMS code and consent for nothing.
  it('stops the sign-in before Qonto, on the error page with the staging-token hint', async () => {
    const browser = new TestBrowser(app.origin);
    const page = await browser.follow(await startSignInWithCsrf(browser));

    expect(page.url.pathname).toBe('/auth/error');
    expect(page.url.searchParams.get('error')).toBe('Configuration');
    expect(page.url.searchParams.get('failure')).toBe('staging_gate');
    expect(page.body).toContain('Qonto&#x27;s sandbox gate answered instead of Qonto');
    expect(page.body).toContain('AUTH_QONTO_STAGING_TOKEN');
    expect(page.body).not.toContain(WRONG_STAGING_TOKEN);
    expect(browser.cookie('qonto-next.session-token')).toBeUndefined();
    expect(sandbox.requests.map((r) => `${r.method} ${r.path} ${r.stagingToken}`)).toEqual([
      'POST /oauth2/token wrong',
    ]);
  });

  it('stops the "Connect with Qonto" button the same way, without asking Qonto again', async () => {
    const browser = new TestBrowser(app.origin);
    const clicked = await browser.submit('/', 'Connect with Qonto');
    const target = new URL(clicked.headers.get('location') ?? '', app.origin);
    expect(target.pathname).toBe('/auth/error');
    expect(target.searchParams.get('failure')).toBe('staging_gate');
    expect(sandbox.requests.filter((r) => r.path === '/oauth2/token')).toHaveLength(1);
  });

  it('logs the cause, naming AUTH_QONTO_STAGING_TOKEN, without the staging token or the client secret', () => {
    expect(app.output()).toMatch(
      /\[auth\]\[error\] Qonto error "staging_gate": The Qonto sandbox did not accept the staging token .*AUTH_QONTO_STAGING_TOKEN.*Sign-in stopped before the redirect to Qonto/,
    );
    expect(app.output()).not.toContain(WRONG_STAGING_TOKEN);
    expect(app.output()).not.toContain(CLIENT_SECRET);
  });
});
