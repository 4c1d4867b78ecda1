import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestBrowser } from './helpers/browser';
import { signIn, singleOrganizationUser } from './helpers/flow';
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
  it.each(['redirect', 'html'] as const)(
    'ends the sign-in on the error page with the staging-token hint (gate answering with %s)',
    async (gate) => {
      sandbox.faults.gate(gate);
      const browser = new TestBrowser(app.origin);
      const page = await signIn(browser, singleOrganizationUser(sandbox));

      expect(page.url.pathname).toBe('/auth/error');
      expect(page.url.searchParams.get('error')).toBe('Configuration');
      expect(page.url.searchParams.get('failure')).toBe('staging_gate');
      expect(page.body).toContain('Qonto&#x27;s sandbox gate answered instead of Qonto');
      expect(page.body).toContain('AUTH_QONTO_STAGING_TOKEN');
      expect(page.body).not.toContain(WRONG_STAGING_TOKEN);
      expect(browser.cookie('qonto-next.session-token')).toBeUndefined();
      const tokenRequest = sandbox.requests.findLast((r) => r.path === '/oauth2/token');
      expect(tokenRequest?.stagingToken).toBe('wrong');
    },
  );

  it('logs the cause without the staging token or the client secret', () => {
    expect(app.output()).toMatch(
      /\[auth\]\[error\] CallbackRouteError: .*\(cause: Qonto error "staging_gate": Qonto sandbox answered/,
    );
    expect(app.output()).not.toContain(WRONG_STAGING_TOKEN);
    expect(app.output()).not.toContain(CLIENT_SECRET);
  });
});
