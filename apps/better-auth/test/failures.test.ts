import { type QontoSandbox, type SandboxUser, startQontoSandbox } from '@qonto-oauth/sandbox';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type RunningApp, startApp, TestBrowser } from './helpers/app-harness.js';

let sandbox: QontoSandbox;
let manon: SandboxUser;
let jules: SandboxUser;
const started: RunningApp[] = [];

beforeAll(async () => {
  sandbox = await startQontoSandbox();
  manon = sandbox.users.find((u) => u.organizations.length === 2)!;
  jules = sandbox.users.find((u) => u.organizations.length === 1)!;
});
afterEach(async () => {
  sandbox.faults.reset();
  for (const app of started.splice(0)) {
    await app.stop();
    app.remove();
  }
});
afterAll(() => sandbox?.close());

/** The app with manon connected to her first organization, and her `account` row. */
async function connected() {
  const running = await startApp(sandbox);
  started.push(running);
  const browser = new TestBrowser(running.origin);
  await browser.connect(manon, { organizationId: manon.organizations[0]!.id });
  const [row] = running.rows<{ id: string; accessToken: string; refreshToken: string; idToken: string }>(
    'account',
  );
  return { running, browser, row: row! };
}

const STACK_FRAME = /^\s+at .+:\d+:\d+\)?$/m;

describe('example-better-auth when Qonto fails', () => {
  it('a wrong staging token: stopped at "Connect with Qonto", Qonto never reached, the fix in the log only', async () => {
    const wrongToken = 'wrong-staging-token-0123456789';
    const running = await startApp(sandbox, { stagingToken: wrongToken });
    started.push(running);
    const browser = new TestBrowser(running.origin);
    sandbox.requests.clear();
    const lines: string[] = [];
    const spies = (['error', 'warn', 'log', 'info'] as const).map((level) =>
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        lines.push(args.map(String).join(' '));
      }),
    );
    let page: Awaited<ReturnType<TestBrowser['open']>>;
    try {
      const start = await browser.post('/connect');
      page = await browser.open(start.headers.get('location')!);
    } finally {
      for (const spy of spies) spy.mockRestore();
    }

    expect(page.url.pathname).toBe('/connect-failed');
    expect(page.url.searchParams.get('error')).toBe('qonto_staging_gate');
    expect(page.status).toBe(502);
    expect(page.body).toContain('A configuration problem on our side');
    expect(page.body).not.toContain(wrongToken);
    expect(sandbox.requests.filter((r) => r.path === '/oauth2/auth')).toEqual([]);
    const log = lines.join('\n');
    expect(log).toMatch(/qonto_staging_gate.*QONTO_STAGING_TOKEN/);
    expect(log).toContain('Sign-in stopped before the redirect to Qonto.');
    expect(log).not.toContain(wrongToken);
    expect(log).not.toContain(running.clientSecret);
    expect(running.rows('account')).toEqual([]);
  });

  it("shows core's message on a readable page when the Business API fails, with no secret and no stack", async () => {
    const { running, browser, row } = await connected();
    sandbox.faults.failNext('GET /v2/organization', 503, { count: 3 });

    const page = await browser.open('/account');
    expect(page.status).toBe(502);
    expect(page.body).toContain('Qonto refused a request');
    expect(page.body).toMatch(/503/);
    expect(page.body).not.toMatch(STACK_FRAME);
    for (const secret of [
      row.accessToken,
      row.refreshToken,
      row.idToken,
      running.clientSecret,
      sandbox.stagingToken,
    ]) {
      expect(page.body).not.toContain(secret);
    }
  });

  /** Revokes the consent at Qonto behind the app's back, as the user does from Qonto's connected-apps page. */
  async function revokeAtQonto(accessToken: string) {
    const revoked = await fetch(`${sandbox.url}/v2/oauth2/consents`, {
      method: 'DELETE',
      headers: { Authorization: `Bearer ${accessToken}`, 'X-Qonto-Staging-Token': sandbox.stagingToken },
    });
    expect(revoked.ok).toBe(true);
  }

  it('says to connect again when Qonto no longer accepts the refresh token (consent revoked elsewhere)', async () => {
    const { browser, row } = await connected();
    await revokeAtQonto(row.accessToken);

    const answer = await browser.post('/refresh', { accountId: row.id });
    const body = await answer.text();
    expect(answer.status).toBe(401);
    expect(body).toContain('Qonto no longer accepts this connection');
    expect(body).toContain('qonto_invalid_grant');
    expect(body).not.toContain(row.refreshToken);
  });

  it('offers Disconnect on the account page of a connection Qonto no longer accepts, which then ends it', async () => {
    const { running, browser, row } = await connected();
    await revokeAtQonto(row.accessToken);

    const page = await browser.open('/account');
    expect(page.status).toBe(401);
    expect(page.body).toContain('Qonto no longer accepts the connection to');
    expect(page.body).toContain(manon.organizations[0]!.legalName);
    expect(page.body).toContain(`name="accountId" value="${row.id}"`);
    expect(page.body).not.toMatch(STACK_FRAME);

    const disconnect = await browser.post('/disconnect', { accountId: row.id });
    expect(disconnect.headers.get('location')).toBe('/?disconnected=1');
    expect(running.rows('account')).toEqual([]);
    expect(browser.signedIn()).toBe(false);
  });

  it("refuses to link another person's Qonto login to the signed-in user, in the app's words", async () => {
    const { running, browser } = await connected();
    const page = await browser.connect(jules, { via: '/connect-another' });
    expect(page.url.pathname).toBe('/connect-failed');
    expect(page.body).toContain('has another email than the signed-in user');
    expect(running.rows<{ email: string }>('user').map((u) => u.email)).toEqual([manon.email]);
    expect(running.rows('account')).toHaveLength(1);
  });
});
