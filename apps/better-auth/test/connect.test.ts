import { type QontoSandbox, type SandboxUser, startQontoSandbox } from '@qonto-oauth/sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type RunningApp, startApp, TestBrowser } from './helpers/app-harness.js';

let sandbox: QontoSandbox;
let manon: SandboxUser;
let first: SandboxUser['organizations'][number];
let second: SandboxUser['organizations'][number];
const started: RunningApp[] = [];

beforeAll(async () => {
  sandbox = await startQontoSandbox();
  const withTwo = sandbox.users.find((u) => u.organizations.length === 2);
  if (!withTwo) throw new Error('the emulator seed has no user with two organizations');
  manon = withTwo;
  [first, second] = withTwo.organizations as [typeof first, typeof second];
});
afterEach(async () => {
  for (const app of started.splice(0)) {
    await app.stop();
    app.remove();
  }
});
afterAll(() => sandbox?.close());

async function app(o: Parameters<typeof startApp>[1] = {}) {
  const running = await startApp(sandbox, o);
  started.push(running);
  return { running, browser: new TestBrowser(running.origin) };
}

interface AccountRow {
  id: string;
  userId: string;
  providerId: string;
  accountId: string;
  refreshToken: string;
  qontoOrganizationId: string;
  qontoOrganizationName: string;
}

const tokenRequests = () =>
  sandbox.requests.filter((r) => r.method === 'POST' && r.path === '/oauth2/token').length;

describe('example-better-auth against the emulator', () => {
  it('connects: the organization, its bank accounts and transactions, and the user and account rows in SQLite', async () => {
    const { running, browser } = await app();
    const page = await browser.connect(manon, { organizationId: first.id });

    expect(page.url.pathname).toBe('/account');
    expect(page.status).toBe(200);
    expect(page.body).toContain(first.legalName);
    expect(page.body).toMatch(/<td>FR\d{2}[0-9A-Z]+<\/td>/);
    expect(page.body).toContain('Latest transactions');
    expect(page.body.match(/<td class="amount">-?\d+\.\d{2} EUR<\/td>/g)?.length).toBeGreaterThan(3);
    expect(page.body).not.toContain(second.legalName);

    // Better Auth's migrations created the tables in the file; one user, one qonto account with its organization.
    const users = running.rows<{ id: string; email: string }>('user');
    expect(users.map((u) => u.email)).toEqual([manon.email]);
    const accounts = running.rows<AccountRow>('account');
    expect(accounts).toHaveLength(1);
    expect(accounts[0]).toMatchObject({
      userId: users[0]!.id,
      providerId: 'qonto',
      qontoOrganizationId: first.id,
      qontoOrganizationName: first.legalName,
    });
    expect(running.rows('session')).toHaveLength(1);
  });

  it('connects a second organization to the same user (account linking), each with its own page', async () => {
    const { running, browser } = await app();
    await browser.connect(manon, { organizationId: first.id });
    const page = await browser.connect(manon, { organizationId: second.id, via: '/connect-another' });

    // The newest connection is shown; both organizations are listed.
    expect(page.url.pathname).toBe('/account');
    expect(page.body).toMatch(new RegExp(`<strong class="organization">${second.legalName}</strong>`));
    expect(page.body).toContain(first.legalName);
    const users = running.rows<{ id: string }>('user');
    expect(users).toHaveLength(1);
    const accounts = running.rows<AccountRow>('account');
    expect(accounts.map((a) => a.qontoOrganizationId).sort()).toEqual([first.id, second.id].sort());
    expect(new Set(accounts.map((a) => a.userId))).toEqual(new Set([users[0]!.id]));

    const firstAccount = accounts.find((a) => a.qontoOrganizationId === first.id)!;
    const firstPage = await browser.open(`/account?account=${firstAccount.id}`);
    expect(firstPage.body).toMatch(new RegExp(`<strong class="organization">${first.legalName}</strong>`));
  });

  it('Refresh tokens rotates the refresh token once and saves it on the account row', async () => {
    const { running, browser } = await app();
    await browser.connect(manon, { organizationId: first.id });
    const [before] = running.rows<AccountRow>('account');
    const grants = tokenRequests();

    const answer = await browser.post('/refresh', { accountId: before!.id });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe(`/account?account=${before!.id}`);
    expect(tokenRequests()).toBe(grants + 1);
    const [after] = running.rows<AccountRow>('account');
    expect(after!.refreshToken).not.toBe(before!.refreshToken);
    expect((await browser.open(answer.headers.get('location')!)).body).toContain(first.legalName);
  });

  it("keeps the member's Qonto tokens on the server: Better Auth's token routes answer 404, the pages still work", async () => {
    const { running, browser } = await app();
    await browser.connect(manon, { organizationId: first.id });
    const [row] = running.rows<AccountRow & { accessToken: string; idToken: string }>('account');

    for (const path of ['/api/auth/get-access-token', '/api/auth/refresh-token']) {
      const answer = await browser.fetch(`${running.origin}${path}`, {
        method: 'POST',
        headers: { origin: running.origin, 'content-type': 'application/json' },
        body: JSON.stringify({ accountId: row!.id }),
      });
      const body = await answer.text();
      expect(answer.status, path).toBe(404);
      for (const token of [row!.accessToken, row!.refreshToken, row!.idToken])
        expect(body).not.toContain(token);
    }

    // The server still reads the token (its expiry on the account page) and refreshes it (the Refresh form).
    const page = await browser.open('/account');
    expect(page.body).toMatch(/Access token valid until <time>/);
    const grants = tokenRequests();
    const refreshed = await browser.post('/refresh', { accountId: row!.id });
    expect(refreshed.status).toBe(303);
    expect(tokenRequests()).toBe(grants + 1);
    expect(running.rows<AccountRow>('account')[0]!.refreshToken).not.toBe(row!.refreshToken);
  });

  it('Disconnect revokes that consent and keeps the other organization; the last one signs out', async () => {
    const { running, browser } = await app();
    await browser.connect(manon, { organizationId: first.id });
    await browser.connect(manon, { organizationId: second.id, via: '/connect-another' });
    const rows = running.rows<AccountRow>('account');
    const secondRow = rows.find((a) => a.qontoOrganizationId === second.id)!;
    const revocations = () =>
      sandbox.requests.filter((r) => r.method === 'DELETE' && r.path === '/v2/oauth2/consents').length;
    const revoked = revocations();

    const one = await browser.post('/disconnect', { accountId: secondRow.id });
    expect(one.headers.get('location')).toBe('/account?disconnected=1');
    expect(revocations()).toBe(revoked + 1);
    expect(running.rows<AccountRow>('account').map((a) => a.qontoOrganizationId)).toEqual([first.id]);
    const remaining = await browser.open('/account?disconnected=1');
    expect(remaining.body).toContain('Disconnected: the consent was revoked at Qonto.');
    expect(remaining.body).toContain(first.legalName);

    const last = await browser.post('/disconnect', { accountId: running.rows<AccountRow>('account')[0]!.id });
    expect(last.headers.get('location')).toBe('/?disconnected=1');
    expect(revocations()).toBe(revoked + 2);
    expect(running.rows('account')).toEqual([]);
    expect(running.rows('session')).toEqual([]);
    expect(browser.signedIn()).toBe(false);
    const home = await browser.open('/account');
    expect(home.url.pathname).toBe('/');
    expect(home.body).toContain('Connect with Qonto');
  });

  it('a denied consent ends on the app\'s "declined" page, with nothing saved', async () => {
    const { running, browser } = await app();
    const page = await browser.connect(manon, { organizationId: first.id, deny: true });
    expect(page.url.pathname).toBe('/connect-failed');
    expect(page.status).toBe(401);
    expect(page.body).toContain('You declined the consent on Qonto');
    expect(page.body).not.toContain('error_description');
    expect(running.rows('account')).toEqual([]);
    expect(running.rows('user')).toEqual([]);
  });

  it("shows the app's own words for an error code, never the query string's description", async () => {
    const { browser } = await app();
    const page = await browser.open(
      '/connect-failed?error=qonto_staging_gate&error_description=Call+%2B33+123+to+fix',
    );
    expect(page.status).toBe(502);
    expect(page.body).toContain('A configuration problem on our side');
    expect(page.body).not.toContain('Call');
    const odd = await browser.open('/connect-failed?error=%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    expect(odd.status).toBe(400);
    expect(odd.body).not.toContain('script');
  });

  it('refuses the forms when posted from another site, and changes nothing', async () => {
    const { running, browser } = await app();
    await browser.connect(manon, { organizationId: first.id });
    const [row] = running.rows<AccountRow>('account');
    for (const path of ['/disconnect', '/refresh', '/connect', '/connect-another']) {
      const answer = await browser.post(path, { accountId: row!.id }, 'https://evil.example');
      expect(answer.status, path).toBe(403);
      expect(await answer.text()).toContain('This request did not come from this app');
    }
    expect(running.rows<AccountRow>('account')).toEqual([row]);
  });

  it('keeps users, accounts and sessions across a restart on the same file (the migrations run again)', async () => {
    const { running, browser } = await app({ secret: 'the-same-secret-across-restarts-32+chars' });
    await browser.connect(manon, { organizationId: first.id });
    await running.stop();
    started.splice(started.indexOf(running), 1);

    // On another port (the old one's sockets may linger in the client's pool): cookies ignore ports.
    const again = await startApp(sandbox, {
      databaseFile: running.databaseFile,
      secret: 'the-same-secret-across-restarts-32+chars',
    });
    started.push(again, { ...running, stop: async () => {} });
    browser.origin = again.origin;
    const page = await browser.open('/account');
    expect(page.url.pathname).toBe('/account');
    expect(page.body).toContain(first.legalName);
    expect(again.rows('user')).toHaveLength(1);
  });
});
