import { createHmac } from 'node:crypto';
import { connectionTokenKey, QontoApiClient } from '@qonto-oauth/core';
import { type QontoSandbox, type SandboxUser, startQontoSandbox } from '@qonto-oauth/sandbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ACCOUNTS, type DemoAccount } from '../src/demo-accounts.js';
import { connectOrganization, type RunningApp, signInToProduct, startApp } from './helpers/app-harness.js';
import { TestBrowser } from './helpers/browser.js';

const DAY = 86_400_000;
const [alice, bob] = DEMO_ACCOUNTS as [DemoAccount, DemoAccount];

let sandbox: QontoSandbox;
let app: RunningApp;
/** Bob's browser; `app.browser` is Alice's. */
const bobsBrowser = new TestBrowser();
/** The emulator's user with two organizations: both get connected to Alice. */
let manon: SandboxUser;
/** Another member of Manon's first organization: Bob connects it through him. */
let jules: SandboxUser;
/** Manon's organization that Jules belongs to too. */
let first: SandboxUser['organizations'][number];
let second: SandboxUser['organizations'][number];

beforeAll(async () => {
  sandbox = await startQontoSandbox();
  app = await startApp(sandbox);
  const withTwo = sandbox.users.find((u) => u.organizations.length === 2);
  if (!withTwo) throw new Error('the emulator seed has no user with two organizations');
  manon = withTwo;
  const shared = sandbox.users.find(
    (u) => u !== manon && u.organizations.some((o) => manon.organizations.some((m) => m.id === o.id)),
  );
  if (!shared) throw new Error("the emulator seed has no other member of Manon's organizations");
  jules = shared;
  first = manon.organizations.find((m) => jules.organizations.some((o) => o.id === m.id))!;
  second = manon.organizations.find((m) => m !== first)!;
});
afterAll(async () => {
  await app?.close();
  await sandbox?.close();
});

/** A form of the app's own pages, posted as a browser does (with the app's Origin); redirects not followed. */
function postForm(path: string, fields: Record<string, string>, origin = app.origin) {
  return app.browser.fetch(`${app.origin}${path}`, {
    method: 'POST',
    headers: { Origin: origin, 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields),
  });
}

async function signInAs(account: DemoAccount, browser = app.browser): Promise<void> {
  const answer = await signInToProduct({ origin: app.origin, browser }, account);
  expect(answer.status).toBe(303);
  expect(answer.headers.get('location')).toBe('/settings');
}

/** Alice connects (or reconnects) one of Manon's organizations; `as` and `browser` make it someone else. */
function connect(
  organizationId: string,
  o: { reconnect?: boolean; deny?: boolean; as?: SandboxUser; browser?: TestBrowser } = {},
) {
  const browser = o.browser ?? app.browser;
  return connectOrganization({ origin: app.origin, browser }, o.as ?? manon, organizationId, o);
}

/** Each organization on the settings page, with the state it shows. */
async function settings(): Promise<{ body: string; states: Record<string, string> }> {
  const page = await app.browser.follow(`${app.origin}/settings`);
  expect(page.url).toBe(`${app.origin}/settings`);
  const rows = page.body.matchAll(
    /<tr data-organization-id="([^"]+)">[\s\S]*?<span class="status ([a-z_]+)">/g,
  );
  return { body: page.body, states: Object.fromEntries([...rows].map((m) => [m[1], m[2]])) };
}

/** Alice's tokens for one organization, as the app stores them (the test's window on "never on a page"). */
function storedTokens(organizationId: string) {
  return app.connectionStore.tokens.get(connectionTokenKey(alice.id, organizationId));
}

describe('the sample product: its own login, connected organizations, sync, webhooks', () => {
  it('the login page shows both demo accounts; a wrong password is refused, the right one opens Settings', async () => {
    const login = await app.browser.follow(`${app.origin}/login`);
    for (const account of DEMO_ACCOUNTS) {
      expect(login.body).toContain(`<code>${account.username}</code>`);
      expect(login.body).toContain(`<code>${account.password}</code>`);
    }
    const wrong = await postForm('/login', { username: alice.username, password: bob.password });
    expect(wrong.status).toBe(401);
    expect(await wrong.text()).toContain('do not open a demo account');
    expect((await app.browser.follow(`${app.origin}/settings`)).url).toBe(`${app.origin}/login`);
    // Another site's form cannot sign the browser in (login CSRF).
    expect((await signInToProduct(app, alice, { origin: 'https://evil.example' })).status).toBe(403);

    await signInAs(alice);
    const { body, states } = await settings();
    expect(body).toContain(alice.displayName);
    expect(body).toContain('No Qonto organization is connected yet.');
    expect(states).toEqual({});
  });

  it('connects both organizations of one Qonto user, each subscribed to its consent revocations', async () => {
    const one = await connect(first.id);
    expect(one.page.url).toBe(`${app.origin}/settings`);
    expect(one.page.body).toContain(`Connected ${first.legalName}.`);
    const two = await connect(second.id);
    expect(two.page.body).toContain(`Connected ${second.legalName}.`);
    // passport.authorize asked for the webhook scope, and left Alice signed in.
    expect(two.authorize.searchParams.get('scope')?.split(' ')).toContain('webhook');
    expect(two.page.body).toContain(alice.displayName);

    const { body, states } = await settings();
    expect(states).toEqual({ [first.id]: 'active', [second.id]: 'active' });
    expect(body).toContain(first.legalName);
    expect(body).toContain(second.legalName);
    expect(
      sandbox.requests.filter((r) => r.method === 'POST' && r.path === '/v2/webhook_subscriptions'),
    ).toHaveLength(2);
    for (const id of [first.id, second.id]) {
      const tokens = await storedTokens(id);
      expect(tokens).toBeDefined();
      expect(body).not.toContain(tokens!.accessToken);
      expect(body).not.toContain(tokens!.refreshToken);
      expect(body).not.toContain((await app.webhookSubscriptions.forOrganization(id))!.secret);
    }
  });

  it('another demo account sees none of them, cannot open their transactions, and connects its own', async () => {
    await signInAs(bob, bobsBrowser);
    const page = await bobsBrowser.follow(`${app.origin}/settings`);
    expect(page.body).toContain(bob.displayName);
    expect(page.body).not.toContain(first.legalName);
    const other = await bobsBrowser.follow(`${app.origin}/organizations/${first.id}/transactions`);
    expect(other.url).toBe(`${app.origin}/settings`);
    expect(other.body).toContain('That organization is not connected.');

    // Declining at Qonto ends on the app's own page, leading back to Settings; nothing saved.
    const declined = await connect(first.id, { as: jules, browser: bobsBrowser, deny: true });
    expect(declined.page.status).toBe(401);
    expect(declined.page.body).toContain('<h1>Connection declined</h1>');
    expect(declined.page.body).toContain('href="/settings">Back to settings</a>');
    expect(await app.connectionStore.list(bob.id)).toEqual([]);

    // Bob connects the same organization through another of its members; its webhook subscription serves both.
    const { page: connected } = await connect(first.id, { as: jules, browser: bobsBrowser });
    expect(connected.body).toContain(`Connected ${first.legalName}.`);
    expect(connected.body).not.toContain(second.legalName);
    expect(
      sandbox.requests.filter((r) => r.method === 'POST' && r.path === '/v2/webhook_subscriptions'),
    ).toHaveLength(2);
  });

  it("syncs every transaction of an organization's main account, page after page", async () => {
    sandbox.requests.clear();
    const page = await app.browser.follow(`${app.origin}/organizations/${second.id}/transactions`);
    expect(page.status).toBe(200);
    // What the emulator holds, read by the test itself with the connection's token.
    const api = new QontoApiClient({
      environment: sandbox.endpoints,
      stagingToken: sandbox.stagingToken,
      tokens: (await storedTokens(second.id))!.accessToken,
    });
    const organization = await api.getOrganization();
    const main = organization.bank_accounts!.find((a) => a.main)!;
    const labels: string[] = [];
    for await (const t of api.paginate<{ label: string }>('/v2/transactions', {
      itemsKey: 'transactions',
      query: { bank_account_id: main.id! },
    })) {
      labels.push(t.label);
    }
    expect(labels.length).toBeGreaterThan(100);
    expect(page.body).toContain(second.legalName);
    expect(page.body).toMatch(
      new RegExp(`Synced <strong class="count">${labels.length}</strong> transactions`),
    );
    for (const label of labels.slice(0, 20)) expect(page.body).toContain(label);
    const pages = sandbox.requests.filter((r) => r.method === 'GET' && r.path === '/v2/transactions');
    // The app's pages (100 each) and the test's own.
    expect(pages).toHaveLength(2 * Math.ceil(labels.length / 100));
  });

  it('a revocation in Qonto arrives by webhook: that connection shows revoked, the others stay connected', async () => {
    const revoke = async (member: SandboxUser) => {
      const deliveries = await sandbox.revokeConsent({
        clientId: app.clientId,
        organizationId: first.id,
        email: member.email,
      });
      expect(deliveries.map((d) => [d.type, d.state, d.attempts[0]?.status])).toEqual([
        ['v1/consent-revocations', 'delivered', 204],
      ]);
    };
    const bobsState = async () =>
      (await bobsBrowser.follow(`${app.origin}/settings`)).body.match(/class="status ([a-z_]+)"/)?.[1];

    // Jules revokes: the event names the organization (and the subscription's member, Manon), not Jules, so the app
    // finds out which connection ended: Bob's, not Alice's.
    await revoke(jules);
    await expect.poll(bobsState, { timeout: 20_000 }).toBe('revoked');
    expect((await settings()).states).toEqual({ [first.id]: 'active', [second.id]: 'active' });

    await revoke(manon);
    await expect
      .poll(async () => (await settings()).states, { timeout: 20_000 })
      .toEqual({ [first.id]: 'revoked', [second.id]: 'active' });
    const { body } = await settings();
    expect(body).toContain(`href="/settings/qonto/connect?organization=${first.id}">Reconnect</a>`);
    expect(await storedTokens(first.id)).toBeUndefined();
    const sync = await app.browser.follow(`${app.origin}/organizations/${first.id}/transactions`);
    expect(sync.url).toBe(`${app.origin}/settings`);
    expect(sync.body).toContain(`Reconnect ${first.legalName} to sync its transactions.`);
  });

  it('refuses a delivery it cannot verify (401) and changes nothing', async () => {
    const [delivered] = sandbox.webhookDeliveries();
    const body = delivered!.body;
    const t = Math.floor(sandbox.clock.now() / 1000);
    const forged = (signature: string | undefined, payload = body) =>
      fetch(`${app.origin}/webhooks/qonto`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(signature ? { 'X-Qonto-Signature': signature } : {}),
        },
        body: payload,
      });
    const wrongSecret = createHmac('sha256', 'not-the-secret').update(`${t}.${body}`).digest('hex');
    for (const answer of [
      await forged(undefined),
      await forged(`t=${t},v1=${wrongSecret}`),
      await forged(
        `t=${t},v1=${wrongSecret}`,
        body.replace(delivered!.subscriptionId, 'unknown-subscription'),
      ),
    ]) {
      expect(answer.status).toBe(401);
      expect(await answer.text()).toBe('This delivery could not be verified.');
    }
    expect((await settings()).states).toEqual({ [first.id]: 'revoked', [second.id]: 'active' });
  });

  it('"Reconnect" asks Qonto for that organization and restores it, without a second row', async () => {
    // As after a restart of this in-memory app: the subscription's secret is lost, so it is replaced.
    const lost = (await app.webhookSubscriptions.forOrganization(first.id))!;
    await app.webhookSubscriptions.delete(lost);
    sandbox.requests.clear();
    const { authorize, page } = await connect(first.id, { reconnect: true });
    const subscriptionCalls = sandbox.requests
      .filter((r) => r.path.startsWith('/v2/webhook_subscriptions') && r.method !== 'GET')
      .map((r) => `${r.method} ${r.path}`);
    expect(subscriptionCalls).toEqual([
      `DELETE /v2/webhook_subscriptions/${lost.id}`,
      'POST /v2/webhook_subscriptions',
    ]);
    expect((await app.webhookSubscriptions.forOrganization(first.id))?.id).not.toBe(lost.id);
    expect(authorize.searchParams.get('organization_id')).toBe(first.id);
    expect(page.body).toContain(`Connected ${first.legalName}.`);
    const { body, states } = await settings();
    expect(states).toEqual({ [first.id]: 'active', [second.id]: 'active' });
    expect(body.match(new RegExp(`data-organization-id="${first.id}"`, 'g'))).toHaveLength(1);
    expect((await app.browser.follow(`${app.origin}/organizations/${first.id}/transactions`)).status).toBe(
      200,
    );
  });

  it('"Disconnect" revokes the consent at Qonto and removes the organization; another site cannot press it', async () => {
    const { accessToken } = (await storedTokens(second.id))!;
    const forged = await postForm(
      '/settings/qonto/disconnect',
      { organization: second.id },
      'https://evil.example',
    );
    expect(forged.status).toBe(403);
    expect((await settings()).states[second.id]).toBe('active');

    const answer = await postForm('/settings/qonto/disconnect', { organization: second.id });
    expect(answer.status).toBe(303);
    const { body, states } = await settings();
    expect(body).toContain(`Disconnected ${second.legalName}: the consent was revoked at Qonto.`);
    expect(states).toEqual({ [first.id]: 'active' });
    const api = new QontoApiClient({
      environment: sandbox.endpoints,
      stagingToken: sandbox.stagingToken,
      tokens: accessToken,
    });
    await expect(api.getOrganization()).rejects.toMatchObject({ code: 'api', status: 401 });
  });

  it('shows "Reconnect" once the 90-day refresh token nears its end, and "required" past it', async () => {
    sandbox.clock.advance(80 * DAY);
    let { body, states } = await settings();
    expect(states).toEqual({ [first.id]: 'reconnect_soon' });
    const reconnectBy = new Date((await app.connectionStore.get(alice.id, first.id))!.refreshTokenExpiresAt!);
    expect(body).toContain(`Reconnect soon</span> by <time>${reconnectBy.toISOString().slice(0, 10)}</time>`);
    expect(body).toContain(`href="/settings/qonto/connect?organization=${first.id}">Reconnect</a>`);
    sandbox.clock.advance(11 * DAY);
    ({ body, states } = await settings());
    expect(states).toEqual({ [first.id]: 'reconnect_required' });
    expect(body).toContain('Reconnection required');
  });
});
