import { QONTO_STATE_COOKIE_NAME } from '@qonto-oauth/nestjs';
import { describe, expect, it } from 'vitest';
import { LOGIN_COOKIE } from '../src/login-sessions.js';
import { errorPage } from '../src/views.js';
import {
  consent,
  oauthClientOf,
  signIn,
  singleOrganizationUser,
  withEmulator,
} from './helpers/app-harness.js';

const emulator = withEmulator();

/** The text of the error page's message paragraph. */
function messageOf(html: string): string {
  return html.match(/<p class="message">([\s\S]*?)<\/p>/)?.[1] ?? '';
}

describe('example-nest error pages', () => {
  it('a wrong staging token: 502 at the login start, the gate named with the fix, Qonto never reached, no secret', async () => {
    const wrongToken = 'wrong-staging-token-0123456789';
    const app = await emulator.start({ stagingToken: wrongToken });
    emulator.sandbox().requests.clear();
    const page = await app.browser.open(`${app.origin}/auth/qonto`);
    // The login route answered itself: no redirect to Qonto's login, SMS code and consent.
    expect(page.url).toBe(`${app.origin}/auth/qonto`);
    expect(page.status).toBe(502);
    expect(emulator.sandbox().requests.filter((r) => r.path === '/oauth2/auth')).toEqual([]);
    expect(page.html).toContain('<h1>Qonto&#39;s sandbox gate answered instead of the API</h1>');
    expect(messageOf(page.html)).toContain('X-Qonto-Staging-Token');
    expect(messageOf(page.html)).toContain('QONTO_STAGING_TOKEN');
    expect(messageOf(page.html)).toContain('Sign-in stopped before the redirect to Qonto.');
    expect(page.html).not.toContain(wrongToken);
    expect(page.html).not.toContain(app.clientSecret);
    expect(app.store.keys.size).toBe(0);
  });

  it('credentials Qonto does not know (invalid_client): 502 with the likely cause', async () => {
    const app = await emulator.start({ clientSecret: 'secret-of-the-other-environment' });
    const page = await app.browser.open(await consent(app, singleOrganizationUser(emulator.sandbox())));
    expect(page.status).toBe(502);
    expect(page.html).toContain('<h1>Qonto refused the connection</h1>');
    expect(messageOf(page.html)).toMatch(/invalid_client/);
    expect(messageOf(page.html)).toMatch(/other environment/);
    expect(page.html).not.toContain('secret-of-the-other-environment');
  });

  it('a declined consent: 401 "Connection declined" in the person\'s words, "Connect with Qonto", nothing stored', async () => {
    const app = await emulator.start();
    const page = await app.browser.open(
      await consent(app, singleOrganizationUser(emulator.sandbox()), { deny: true }),
    );
    expect(page.status).toBe(401);
    expect(page.html).toContain('<h1>Connection declined</h1>');
    // apps/next's wording; core's developer hint ("Offer to connect again") and the HTTP status are not for them.
    expect(page.html).toContain(
      'You declined the consent on Qonto, so this app has no access to your account. Connect again if that was not intended.',
    );
    expect(page.html).not.toContain('Offer to');
    expect(page.html).not.toContain('HTTP 401');
    expect(page.html).toContain('<a class="button" href="/auth/qonto">Connect with Qonto</a>');
    expect(app.store.keys.size).toBe(0);
    expect(app.browser.jar.has(LOGIN_COOKIE)).toBe(false);
  });

  it('a callback without the login cookie of this browser: 403, nothing stored', async () => {
    const app = await emulator.start();
    const callbackUrl = await consent(app, singleOrganizationUser(emulator.sandbox()));
    app.browser.jar.delete(QONTO_STATE_COOKIE_NAME);
    const page = await app.browser.open(callbackUrl);
    expect(page.status).toBe(403);
    expect(page.html).toContain('<h1>The sign-in could not be verified</h1>');
    expect(app.store.keys.size).toBe(0);
  });

  it('a consent revoked in Qonto meanwhile: /me answers 401 and signs this browser out', async () => {
    const app = await emulator.start();
    await signIn(app, singleOrganizationUser(emulator.sandbox()));
    const { accessToken } = await app.store.only();
    await oauthClientOf(emulator.sandbox(), app).revokeConsent(accessToken);

    const page = await app.browser.open(`${app.origin}/me`);
    expect(page.status).toBe(401);
    expect(page.html).toContain('href="/auth/qonto"');
    expect(app.store.keys.size).toBe(0);
    expect(app.browser.jar.has(LOGIN_COOKIE)).toBe(false);
  });

  it('a signed-out POST to refresh or disconnect goes home without calling Qonto', async () => {
    const app = await emulator.start();
    emulator.sandbox().requests.clear();
    for (const action of ['refresh', 'disconnect']) {
      const page = await app.browser.post(`${app.origin}/${action}`);
      expect(page.status).toBe(200);
      expect(page.html).toContain('Connect with Qonto');
    }
    expect(emulator.sandbox().requests).toHaveLength(0);
  });

  it('escapes the message it shows', () => {
    const html = errorPage({
      status: 502,
      title: 'T <b>',
      message: 'Qonto said <script>alert(1)</script> & "more"',
    });
    expect(html).toContain('Qonto said &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;more&quot;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<h1>T &lt;b&gt;</h1>');
  });
});
