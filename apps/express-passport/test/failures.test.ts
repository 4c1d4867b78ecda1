import { QontoConfigError } from '@qonto-oauth/core';
import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  consentAt,
  type RunningApp,
  signIn,
  singleOrganizationUser,
  startApp,
} from './helpers/app-harness.js';

let sandbox: QontoSandbox;
let app: RunningApp | undefined;

beforeAll(async () => {
  sandbox = await startQontoSandbox();
});
afterAll(() => sandbox.close());
afterEach(async () => {
  sandbox.faults.gate('redirect');
  await app?.close();
  app = undefined;
});

/** The sign-in ended on a page of the app, and the session holds neither a user nor tokens. */
async function expectNoHalfLogin(running: RunningApp): Promise<void> {
  for (const stored of await running.sessions()) {
    expect(stored.passport?.user).toBeUndefined();
    expect(stored.qonto).toBeUndefined();
  }
  const account = await running.browser.follow(`${running.origin}/account`);
  expect(account.url).toBe(`${running.origin}/`);
}

const tokenRequests = () => sandbox.requests.filter((r) => r.path === '/oauth2/token').length;

describe('a misconfigured sandbox', () => {
  it('refuses to build the app without a staging token, naming it', async () => {
    const make = startApp(sandbox, { stagingToken: undefined });
    await expect(make).rejects.toBeInstanceOf(QontoConfigError);
    await expect(make).rejects.toThrow(/staging ?token/i);
  });

  it.each(['redirect', 'html'] as const)(
    'with a wrong staging token (gate as %s), stops at the login start on a page naming the fix, Qonto never reached',
    async (gate) => {
      const wrongToken = `wrong-staging-token-${gate}`;
      sandbox.faults.gate(gate);
      app = await startApp(sandbox, { stagingToken: wrongToken });
      sandbox.requests.clear();
      const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      let page: Awaited<ReturnType<RunningApp['browser']['follow']>>;
      let logged: string;
      try {
        page = await app.browser.follow(`${app.origin}/auth/qonto`);
        logged = errors.mock.calls.map((call) => call.map(String).join(' ')).join('\n');
      } finally {
        errors.mockRestore();
      }
      // The login start answered itself: no redirect to Qonto's login, SMS code and consent.
      expect(page.url).toBe(`${app.origin}/auth/qonto`);
      expect(page.status).toBe(502);
      expect(sandbox.requests.filter((r) => r.path === '/oauth2/auth')).toEqual([]);
      expect(page.body).toContain('X-Qonto-Staging-Token');
      expect(page.body).toContain('QONTO_STAGING_TOKEN');
      expect(page.body).toContain('Sign-in stopped before the redirect to Qonto.');
      expect(page.body).toMatch(/Developer Portal/);
      expect(page.body).not.toContain(wrongToken);
      expect(page.body).not.toContain('Failed to obtain access token');
      // The operator gets the fix in the log too, without the token.
      expect(logged).toContain('[qonto] staging_gate: ');
      expect(logged).not.toContain(wrongToken);
      await expectNoHalfLogin(app);
    },
  );
});

describe('a sign-in that goes wrong ends on a clear page with no half-login', () => {
  it("invalid_client (the other environment's credentials)", async () => {
    app = await startApp(sandbox, { clientSecret: 'the-production-secret' });
    const page = await signIn(app, singleOrganizationUser(sandbox));
    expect(page.status).toBe(502);
    expect(page.body).toContain('invalid_client');
    expect(page.body).toMatch(/other environment/);
    expect(page.body).not.toContain('the-production-secret');
    await expectNoHalfLogin(app);
  });

  it('invalid_client leaves one line in the log for the operator, without the secret', async () => {
    const log: string[] = [];
    const spies = (['error', 'warn', 'log', 'info'] as const).map((level) =>
      vi
        .spyOn(console, level)
        .mockImplementation((...args: unknown[]) => void log.push(args.map(String).join(' '))),
    );
    try {
      app = await startApp(sandbox, { clientSecret: 'the-production-secret' });
      const page = await signIn(app, singleOrganizationUser(sandbox));
      expect(page.status).toBe(502);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }
    const lines = log.filter((line) => line.startsWith('[qonto] oauth: '));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('invalid_client');
    expect(log.join('\n')).not.toContain('the-production-secret');
    expect(log.join('\n')).not.toContain(sandbox.stagingToken);
  });

  it('denied consent', async () => {
    app = await startApp(sandbox);
    const page = await app.browser.follow(
      await consentAt(app, singleOrganizationUser(sandbox), { deny: true }),
    );
    expect(page.status).toBe(401);
    expect(page.body).toContain('<h1>Connection declined</h1>');
    // The person's words, as apps/next says it; core's developer hint ("Offer to try again") is not for them.
    expect(page.body).toContain(
      'You declined the consent on Qonto, so this app has no access to your account. Connect again if that was not intended.',
    );
    expect(page.body).not.toContain('Offer to');
    expect(page.body).not.toContain('access_denied');
    expect(page.body).toContain('<a class="button" href="/auth/qonto">Connect with Qonto</a>');
    await expectNoHalfLogin(app);
  });

  it('tampered state: refused before any token request', async () => {
    app = await startApp(sandbox);
    const callback = new URL(await consentAt(app, singleOrganizationUser(sandbox)));
    callback.searchParams.set('state', `${callback.searchParams.get('state')}x`);
    const before = tokenRequests();
    const page = await app.browser.follow(callback.href);
    expect(page.status).toBe(403);
    expect(page.body).toContain('could not be verified');
    expect(tokenRequests()).toBe(before);
    await expectNoHalfLogin(app);
  });

  it('replayed state: a callback URL opened a second time is refused, in any browser', async () => {
    app = await startApp(sandbox);
    const callback = await consentAt(app, singleOrganizationUser(sandbox));
    expect((await app.browser.follow(callback)).url).toBe(`${app.origin}/account`);
    const before = tokenRequests();
    const again = await app.browser.follow(callback);
    expect(again.status).toBe(403);
    expect(again.body).toContain('could not be verified');
    expect(tokenRequests()).toBe(before);
    // Someone else replaying the link gets nothing either.
    const { TestBrowser } = await import('./helpers/browser.js');
    const stranger = await new TestBrowser().follow(callback);
    expect(stranger.status).toBe(403);
    expect(tokenRequests()).toBe(before);
  });

  it('reused code: invalid_grant, and the page says to start again', async () => {
    app = await startApp(sandbox);
    const user = singleOrganizationUser(sandbox);
    const first = new URL(await consentAt(app, user));
    await app.browser.follow(first.href);
    // A second sign-in in a fresh browser, whose callback carries the first (already used) code.
    const { TestBrowser } = await import('./helpers/browser.js');
    const other = { ...app, browser: new TestBrowser() };
    const second = new URL(await consentAt(other, user));
    second.searchParams.set('code', first.searchParams.get('code')!);
    const page = await other.browser.follow(second.href);
    expect(page.status).toBe(401);
    expect(page.body).toContain('invalid_grant');
    expect(page.body).toMatch(/start the login again/i);
    const account = await other.browser.follow(`${app.origin}/account`);
    expect(account.url).toBe(`${app.origin}/`);
  });

  it('expired code (more than 10 minutes): invalid_grant', async () => {
    app = await startApp(sandbox);
    const callback = await consentAt(app, singleOrganizationUser(sandbox));
    sandbox.clock.advance(10 * 60 * 1000 + 1000);
    const page = await app.browser.follow(callback);
    expect(page.status).toBe(401);
    expect(page.body).toContain('invalid_grant');
    await expectNoHalfLogin(app);
  });

  it('a forged callback (state missing or wrong) shows a page of the app, never text from its query string', async () => {
    app = await startApp(sandbox);
    await app.browser.fetch(`${app.origin}/auth/qonto`); // this browser has a sign-in in progress
    for (const query of [
      'error=server_error&error_description=Call%20%2B33%20123%20to%20unlock%20your%20account&state=forged',
      'error=%3Cscript%3Ealert(1)%3C%2Fscript%3E&error_description=Call%20%2B33&state=forged',
      'error=server_error&error_description=Call%20%2B33',
      'error=access_denied&error_description=Call%20%2B33&state=forged',
      'code=ory_ac_forged&state=forged',
    ]) {
      const page = await app.browser.follow(`${app.origin}/auth/qonto/callback?${query}`);
      // The strategy checks the state before Qonto's error=: a forgery, whatever its error= says.
      expect([query, page.status]).toEqual([query, 403]);
      expect(page.body).not.toMatch(/\+33|Call|unlock|script|alert/);
      expect(page.body).toContain('<h1>Sign-in could not be verified</h1>');
    }
    await expectNoHalfLogin(app);
  });

  it("an error Qonto really sent (matching state) shows the app's text for its code, not Qonto's description", async () => {
    app = await startApp(sandbox, {
      scopes: ['offline_access', 'openid', 'membership.read', 'organization.read', 'money.print'],
    });
    const start = await app.browser.fetch(`${app.origin}/auth/qonto`);
    // The emulator sends an unknown scope back to the callback as invalid_scope, with the sign-in's state.
    const callback = await fetch(start.headers.get('location')!, { redirect: 'manual' });
    const back = new URL(callback.headers.get('location')!);
    expect(back.searchParams.get('error')).toBe('invalid_scope');
    expect(back.searchParams.get('error_description')).toContain('money.print');
    const page = await app.browser.follow(back.href);
    expect(page.status).toBe(400);
    expect(page.body).toContain('<h1>Qonto ended the sign-in with an error</h1>');
    expect(page.body).toContain('(Error code from Qonto: invalid_scope.)');
    expect(page.body).not.toContain('money.print');
    await expectNoHalfLogin(app);
  });
});
