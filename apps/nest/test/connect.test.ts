import { describe, expect, it } from 'vitest';
import { LOGIN_COOKIE } from '../src/login-sessions.js';
import {
  apiWith,
  oauthClientOf,
  signIn,
  singleOrganizationUser,
  withEmulator,
} from './helpers/app-harness.js';

const emulator = withEmulator();
const HOUR = 60 * 60 * 1000;

describe('example-nest against the emulator', () => {
  it('shows "Connect with Qonto" on the home page, and /me asks to connect when signed out', async () => {
    const app = await emulator.start();
    const home = await app.browser.open(`${app.origin}/`);
    expect(home.status).toBe(200);
    expect(home.html).toContain('<a class="button" href="/auth/qonto">Connect with Qonto</a>');
    const me = await app.browser.open(`${app.origin}/me`);
    expect(me.url).toBe(`${app.origin}/?notice=signed-out`);
    expect(me.html).toContain('connect with Qonto to see your account');
  });

  it('connects, then /me shows the member, the legal name, the bank accounts and the latest transactions', async () => {
    const app = await emulator.start();
    const user = singleOrganizationUser(emulator.sandbox());
    const page = await signIn(app, user);
    expect(page.url).toBe(`${app.origin}/me`);
    expect(page.status).toBe(200);
    expect(page.html).toContain(`<strong class="member">${user.firstName} ${user.lastName}</strong>`);
    expect(page.html).toContain(`<strong class="organization">${user.organizations[0]!.legalName}</strong>`);
    // Which sample app this is, beside the other two the demo starts.
    expect(page.html).toContain(
      '<header class="app-name"><strong>example-nest</strong> · NestJS + QontoModule</header>',
    );

    // The browser holds a signed random id, HttpOnly; the tokens stay on the server.
    const cookie = app.browser.jar.get(LOGIN_COOKIE);
    expect(cookie?.value).toMatch(/^s%3A[\w-]{43}\./);
    expect(cookie?.attributes).toMatch(/HttpOnly/i);
    expect(cookie?.attributes).toMatch(/SameSite=Lax/i);
    const tokens = await app.store.only();
    for (const secret of [tokens.accessToken, tokens.refreshToken!, tokens.idToken!]) {
      expect(page.html).not.toContain(secret);
      for (const { value } of app.browser.jar.values()) expect(value).not.toContain(secret);
    }

    const api = apiWith(emulator.sandbox(), tokens.accessToken);
    const accounts = (await api.getOrganization()).bank_accounts ?? [];
    expect(accounts.length).toBeGreaterThan(0);
    for (const account of accounts) expect(page.html).toContain(account.iban!);
    const main = accounts.find((a) => a.main) ?? accounts[0]!;
    const latest = await api.get<{
      transactions: { label: string; settled_at: string | null; emitted_at: string }[];
    }>('/v2/transactions', { bank_account_id: main.id!, sort_by: 'settled_at:desc', per_page: 10 });
    const table = page.html.match(/<table class="transactions">[\s\S]*?<\/table>/)?.[0] ?? '';
    const dates = [...table.matchAll(/<tr><td>(\d{4}-\d{2}-\d{2})<\/td><td>([^<]*)<\/td>/g)];
    expect(dates.map((row) => row[2])).toEqual(latest.transactions.map((t) => t.label));
    expect(dates).toHaveLength(10);
    expect(dates.map((row) => row[1])).toEqual(
      dates
        .map((row) => row[1])
        .sort()
        .reverse(),
    );
    // Each row shows the transaction's labels and a link to its first attachment (a temporary, tokenless URL).
    const embedded = await api.get<{
      transactions: { labels: { name: string }[]; attachments: { file_name: string }[] }[];
    }>('/v2/transactions', {
      bank_account_id: main.id!,
      sort_by: 'settled_at:desc',
      per_page: 10,
      includes: ['labels', 'attachments'],
    });
    const cells = [
      ...table.matchAll(
        /<td class="labels">([^<]*)<\/td><td>(?:<a class="receipt" href="([^"]+)">([^<]+)<\/a>)?<\/td>/g,
      ),
    ];
    expect(cells.map((c) => c[1])).toEqual(
      embedded.transactions.map((t) => t.labels.map((l) => l.name).join(', ')),
    );
    expect(cells.map((c) => c[3])).toEqual(embedded.transactions.map((t) => t.attachments[0]?.file_name));
    const receipt = cells.find((c) => c[2] !== undefined);
    expect(receipt).toBeDefined();
    // Behind the sandbox's gate, as every sandbox URL: the browser's web-app login or the staging header opens it.
    const file = await fetch(receipt![2]!.replace(/&amp;/g, '&'), {
      headers: { 'X-Qonto-Staging-Token': emulator.sandbox().stagingToken },
    });
    expect(file.headers.get('content-type')).toBe('application/pdf');
  });

  it('says so in the page when the Qonto server answers 404 to GET /v2/transactions', async () => {
    const app = await emulator.start();
    emulator.sandbox().faults.failNext('GET /v2/transactions', 404);
    const page = await signIn(app, singleOrganizationUser(emulator.sandbox()));
    expect(page.status).toBe(200);
    expect(page.html).toContain(
      'Transactions unavailable: this Qonto server answered 404 to GET /v2/transactions',
    );
    expect(page.html).not.toContain('<table class="transactions">');
  });

  it('"Refresh tokens" rotates both tokens; after expiry /me refreshes by itself and keeps the rotated set', async () => {
    const app = await emulator.start();
    const sandbox = emulator.sandbox();
    const user = singleOrganizationUser(sandbox);
    await signIn(app, user);
    const first = await app.store.only();

    const refreshed = await app.browser.request(`${app.origin}/refresh`, {
      method: 'POST',
      headers: { Origin: app.origin },
    });
    expect(refreshed.status).toBe(303);
    expect(refreshed.headers.get('location')).toBe('/me?notice=refreshed');
    const second = await app.store.only();
    expect(second.accessToken).not.toBe(first.accessToken);
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect((await app.browser.open(`${app.origin}/me?notice=refreshed`)).html).toContain('Tokens refreshed');

    sandbox.clock.advance(HOUR + 60_000);
    await expect(apiWith(sandbox, second.accessToken).getOrganization()).rejects.toMatchObject({
      status: 401,
    });
    const page = await app.browser.open(`${app.origin}/me`);
    expect(page.status).toBe(200);
    expect(page.html).toContain(user.organizations[0]!.legalName);
    const third = await app.store.only();
    expect(third.accessToken).not.toBe(second.accessToken);
    expect(third.refreshToken).not.toBe(second.refreshToken);
    expect((await apiWith(sandbox, third.accessToken).getMembership()).email).toBe(user.email);
  });

  it('"Disconnect" revokes the consent and signs out: /me asks to connect again, the old token gets 401', async () => {
    const app = await emulator.start();
    await signIn(app, singleOrganizationUser(emulator.sandbox()));
    const { accessToken } = await app.store.only();

    const page = await app.browser.post(`${app.origin}/disconnect`);
    expect(page.url).toBe(`${app.origin}/?notice=disconnected`);
    expect(page.html).toContain('Disconnected: the consent was revoked at Qonto');
    expect(app.store.keys.size).toBe(0);
    expect(app.browser.jar.has(LOGIN_COOKIE)).toBe(false);

    const me = await app.browser.open(`${app.origin}/me`);
    expect(me.url).toBe(`${app.origin}/?notice=signed-out`);
    expect(me.html).toContain('Connect with Qonto');
    await expect(apiWith(emulator.sandbox(), accessToken).getOrganization()).rejects.toMatchObject({
      code: 'api',
      status: 401,
    });
  });

  it('"Disconnect" after the access token expired refreshes once, then revokes', async () => {
    const app = await emulator.start();
    const sandbox = emulator.sandbox();
    await signIn(app, singleOrganizationUser(sandbox));
    const { refreshToken } = await app.store.only();
    sandbox.clock.advance(HOUR + 60_000);

    sandbox.requests.clear();
    const page = await app.browser.post(`${app.origin}/disconnect`);
    expect(page.url).toBe(`${app.origin}/?notice=disconnected`);
    expect(app.store.keys.size).toBe(0);
    expect(sandbox.requests.map((r) => `${r.method} ${r.path}`).slice(0, 3)).toEqual([
      'DELETE /v2/oauth2/consents',
      'POST /oauth2/token',
      'DELETE /v2/oauth2/consents',
    ]);
    // Revoked, not merely rotated: the previous refresh token is refused even within Qonto's 60 s grace.
    await expect(oauthClientOf(sandbox, app).refresh(refreshToken!)).rejects.toMatchObject({
      code: 'oauth',
      error: 'invalid_grant',
    });
  });
});
