import type { QontoSandbox } from '@qonto-oauth/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import { getQontoApi, type QontoAccount } from '../src/index.js';
import { Browser, type TestApp, useEmulator } from './helpers/app.js';
import { qontoRows } from './helpers/rows.js';

const emulator = useEmulator();
let sandbox: QontoSandbox;
beforeAll(() => {
  sandbox = emulator.sandbox;
});

type Session = { user: { id: string; email: string; name: string } } | null;

/** An app whose people sign in with email and password, and connect Qonto from their settings. */
function productApp(o: { allowDifferentEmails?: boolean } = {}): Promise<TestApp> {
  return emulator.app({
    auth: {
      emailAndPassword: { enabled: true },
      account: { accountLinking: { allowDifferentEmails: o.allowDifferentEmails ?? true } },
    },
  });
}

/** Signs up (and so in) with the app's own login: `authClient.signUp.email(...)`. */
async function signUp(browser: Browser, email: string): Promise<Session> {
  const signedUp = await browser.call('/sign-up/email', {
    body: { email, password: 'a-long-enough-password', name: 'Alex Product' },
  });
  expect(signedUp.status).toBe(200);
  return (await browser.call<Session>('/get-session')).body;
}

describe("linkSocial({ provider: 'qonto' }): organizations linked to the app's own user", () => {
  it('links an organization to the signed-in user, whose session, name and email stay', async () => {
    const a = await productApp();
    const browser = new Browser(a);
    const before = await signUp(browser, 'alex@product.example');
    const member = sandbox.users[1]!;

    const landed = await browser.consentAndReturn(await browser.startLink(), member);

    expect(landed.pathname).toBe('/dashboard');
    const { body: after } = await browser.call<Session>('/get-session');
    expect(after?.user).toEqual(before?.user);
    const [row, ...others] = qontoRows(a);
    expect(others).toEqual([]);
    expect(row).toMatchObject({ userId: before!.user.id, refreshToken: expect.any(String) });
    expect(a.db.user).toHaveLength(1);
    const { body: accounts } = await browser.call<QontoAccount[]>('/qonto/accounts');
    expect(accounts).toEqual([
      expect.objectContaining({
        membershipId: row!.accountId,
        organization: expect.objectContaining({ id: member.organizations[0]!.id }),
      }),
    ]);
    // The linked tokens serve the Business API for this user.
    const api = await getQontoApi(a.auth, { headers: browser.headers() });
    expect((await api.getOrganization()).id).toBe(member.organizations[0]!.id);
  });

  it('links two organizations of one member as two accounts, and relinking one replaces its tokens', async () => {
    const a = await productApp();
    const browser = new Browser(a);
    await signUp(browser, 'alex@product.example');
    const owner = sandbox.users[0]!;
    const [first, second] = owner.organizations;
    // Better Auth 1.7 passes `additionalParams` on (no organization picker); 1.6 drops them and the member picks.
    const link = async (organizationId: string) =>
      browser.consentAndReturn(
        await browser.startLink({ additionalParams: { organization_id: organizationId } }),
        owner,
        { organizationId },
      );

    expect((await link(first!.id)).pathname).toBe('/dashboard');
    expect((await link(second!.id)).pathname).toBe('/dashboard');
    const { body: accounts } = await browser.call<QontoAccount[]>('/qonto/accounts');
    expect(accounts.map((account) => account.organization?.id).sort()).toEqual(
      [first!.id, second!.id].sort(),
    );

    const firstRow = () => qontoRows(a).find((row) => row.qontoOrganizationId === first!.id)!;
    const tokensBefore = firstRow().refreshToken;
    await link(first!.id);
    expect(qontoRows(a)).toHaveLength(2);
    expect(firstRow().refreshToken).not.toBe(tokensBefore);
  });

  it("refuses a Qonto member whose email differs from the user's unless allowDifferentEmails is set", async () => {
    const a = await productApp({ allowDifferentEmails: false });
    const browser = new Browser(a);
    const before = await signUp(browser, 'alex@product.example');

    const landed = await browser.consentAndReturn(await browser.startLink(), sandbox.users[1]!);

    expect(landed.pathname).toBe('/oops');
    // 1.7: email_does_not_match; 1.6: email_doesn't_match.
    expect(landed.searchParams.get('error')).toMatch(/^email_does(n't|_not)_match$/);
    expect(qontoRows(a)).toEqual([]);
    expect((await browser.call<Session>('/get-session')).body?.user).toEqual(before?.user);
  });

  it('links without allowDifferentEmails when the member signed up with their Qonto email', async () => {
    const a = await productApp({ allowDifferentEmails: false });
    const browser = new Browser(a);
    const member = sandbox.users[1]!;
    await signUp(browser, member.email);
    expect((await browser.consentAndReturn(await browser.startLink(), member)).pathname).toBe('/dashboard');
    expect(qontoRows(a)).toHaveLength(1);
  });
});
