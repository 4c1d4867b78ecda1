import { QontoApiClient, QontoApiError } from '@qonto-oauth/core';
import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SESSION_COOKIE } from '../src/app.js';
import { type RunningApp, signIn, singleOrganizationUser, startApp } from './helpers/app-harness.js';

let sandbox: QontoSandbox;
let app: RunningApp;

beforeAll(async () => {
  sandbox = await startQontoSandbox();
});
afterAll(() => sandbox.close());
afterEach(() => app?.close());

const HOUR = 60 * 60 * 1000;

/** The emulator's API as the app would call it, with a bare access token. */
function apiWith(accessToken: string): QontoApiClient {
  return new QontoApiClient({
    environment: sandbox.endpoints,
    stagingToken: sandbox.stagingToken,
    tokens: accessToken,
  });
}

async function onlyTokens() {
  const sessions = await app.sessions();
  expect(sessions).toHaveLength(1);
  return sessions[0]!.qonto!.tokens!;
}

describe('example-express-passport against the emulator', () => {
  it('shows the home page with "Connect with Qonto"', async () => {
    app = await startApp(sandbox);
    const home = await app.browser.follow(`${app.origin}/`);
    expect(home.status).toBe(200);
    expect(home.body).toContain('href="/auth/qonto"');
    expect(home.body).toContain('Connect with Qonto');
  });

  it('connects and shows the member, the organization, its bank accounts and the latest transactions', async () => {
    app = await startApp(sandbox);
    const user = singleOrganizationUser(sandbox);
    const page = await signIn(app, user);
    expect(page.url).toBe(`${app.origin}/account`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(`${user.firstName} ${user.lastName}`);
    expect(page.body).toContain(user.email);
    expect(page.body).toContain(user.organizations[0]!.legalName);
    // Which sample app this is, beside the other two the demo starts.
    expect(page.body).toContain(
      '<header class="app-name"><strong>example-express-passport</strong> · Express 5 + Passport</header>',
    );
    expect(app.browser.has(SESSION_COOKIE)).toBe(true);

    const tokens = await onlyTokens();
    const organization = await apiWith(tokens.accessToken).getOrganization();
    const accounts = organization.bank_accounts ?? [];
    expect(accounts.length).toBeGreaterThan(0);
    for (const account of accounts) expect(page.body).toContain(account.iban!);

    // Until the emulator serves GET /v2/transactions the page says so; once it does, it lists 10 of them.
    const main = accounts.find((a) => a.main) ?? accounts[0]!;
    const served = await apiWith(tokens.accessToken)
      .get('/v2/transactions', { bank_account_id: main.id!, per_page: 10 })
      .then(
        () => true,
        (error: unknown) => {
          if (error instanceof QontoApiError && error.status === 404) return false;
          throw error;
        },
      );
    if (served) {
      const table = page.body.match(/<table class="transactions">[\s\S]*?<\/table>/)?.[0] ?? '';
      expect(table.match(/<tr>/g)).toHaveLength(11);
      // Each row shows the transaction's labels and a link to its first attachment (a temporary, tokenless URL, behind the sandbox gate).
      const latest = await apiWith(tokens.accessToken).get<{
        transactions: { labels: { name: string }[]; attachments: { file_name: string }[] }[];
      }>('/v2/transactions', {
        bank_account_id: main.id!,
        per_page: 10,
        includes: ['labels', 'attachments'],
      });
      const cells = [
        ...table.matchAll(
          /<td class="labels">([^<]*)<\/td><td>(?:<a class="receipt" href="([^"]+)">([^<]+)<\/a>)?<\/td>/g,
        ),
      ];
      expect(cells.map((c) => c[1])).toEqual(
        latest.transactions.map((t) => t.labels.map((l) => l.name).join(', ')),
      );
      expect(cells.map((c) => c[3])).toEqual(latest.transactions.map((t) => t.attachments[0]?.file_name));
      const receipt = cells.find((c) => c[2] !== undefined);
      expect(receipt).toBeDefined();
      // Behind the sandbox's gate, as every sandbox URL: the browser's web-app login or the staging header opens it.
      const file = await fetch(receipt![2]!.replace(/&amp;/g, '&'), {
        headers: { 'X-Qonto-Staging-Token': sandbox.stagingToken },
      });
      expect(file.headers.get('content-type')).toBe('application/pdf');
    } else {
      expect(page.body).toContain('Transactions unavailable');
    }
  });

  it('refreshes an expired access token before calling the API, and keeps the rotated set in the session', async () => {
    app = await startApp(sandbox);
    const user = singleOrganizationUser(sandbox);
    await signIn(app, user);
    const before = await onlyTokens();
    sandbox.clock.advance(HOUR + 60_000);
    const page = await app.browser.follow(`${app.origin}/account`);
    expect(page.status).toBe(200);
    expect(page.body).toContain(user.organizations[0]!.legalName);
    const after = await onlyTokens();
    expect(after.accessToken).not.toBe(before.accessToken);
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect(after.expiresAt).toBeGreaterThan(sandbox.clock.now());
  });

  it('"refresh tokens" rotates the tokens and comes back to the account page', async () => {
    app = await startApp(sandbox);
    await signIn(app, singleOrganizationUser(sandbox));
    const before = await onlyTokens();
    const refreshed = await app.browser.post(`${app.origin}/refresh`);
    expect(refreshed.status).toBe(303);
    expect(refreshed.headers.get('location')).toBe('/account');
    const after = await onlyTokens();
    expect(after.refreshToken).not.toBe(before.refreshToken);
    expect((await app.browser.follow(`${app.origin}/account`)).status).toBe(200);
  });

  it('"disconnect" revokes the consent, then destroys the session: the old access token gets 401', async () => {
    app = await startApp(sandbox);
    await signIn(app, singleOrganizationUser(sandbox));
    const { accessToken } = await onlyTokens();
    const page = await app.browser.follow(`${app.origin}/disconnect`, {
      method: 'POST',
      headers: { Origin: app.origin },
    });
    expect(page.url).toBe(`${app.origin}/?disconnected=1`);
    expect(page.body).toContain('Disconnected');
    expect(await app.sessions()).toEqual([]);
    expect(app.browser.has(SESSION_COOKIE)).toBe(false);
    await expect(apiWith(accessToken).getOrganization()).rejects.toMatchObject({ code: 'api', status: 401 });
    expect((await app.browser.follow(`${app.origin}/account`)).url).toBe(`${app.origin}/`);
  });
});
