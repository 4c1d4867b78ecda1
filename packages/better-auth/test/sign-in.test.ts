import { QontoApiClient } from '@qonto-oauth/core';
import type { QontoSandbox } from '@qonto-oauth/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import type { QontoAccount } from '../src/index.js';
import { Browser, type TestApp, useEmulator } from './helpers/app.js';
import { qontoRows } from './helpers/rows.js';

const emulator = useEmulator();
const app = emulator.app;
let sandbox: QontoSandbox;
beforeAll(() => {
  sandbox = emulator.sandbox;
});

type Session = { user: { id: string; email: string; name: string; emailVerified: boolean } } | null;

describe('signing in with Qonto through Better Auth', () => {
  it('lands on callbackURL with a session, one account per membership and the organization stored', async () => {
    const a = await app();
    const person = sandbox.users[1]!;
    const browser = new Browser(a);
    // Starting the sign-in may probe the staging token (once per process): count the code exchange's requests only.
    const authorizeUrl = await browser.startSignIn();
    sandbox.requests.clear();

    const landed = await browser.consentAndReturn(authorizeUrl, person);

    expect(landed.pathname).toBe('/dashboard');
    const { body: session } = await browser.call<Session>('/get-session');
    expect(session?.user).toMatchObject({
      email: person.email,
      name: `${person.firstName} ${person.lastName}`,
      emailVerified: true,
    });
    const [row, ...others] = qontoRows(a);
    expect(others).toEqual([]);
    expect(row!.userId).toBe(session!.user.id);
    // The account id is the membership id Qonto's API reports for these tokens.
    const api = new QontoApiClient({
      environment: sandbox.endpoints,
      stagingToken: sandbox.stagingToken,
      tokens: row!.accessToken!,
    });
    expect(row!.accountId).toBe((await api.getMembership()).id);
    expect(row!.refreshToken).toEqual(expect.any(String));
    const { body: accounts } = await browser.call<QontoAccount[]>('/qonto/accounts');
    expect(accounts).toEqual([
      {
        id: row!.id,
        membershipId: row!.accountId,
        organization: {
          id: person.organizations[0]!.id,
          slug: person.organizations[0]!.slug,
          legalName: person.organizations[0]!.legalName,
        },
        scopes: ['offline_access', 'openid', 'membership.read', 'organization.read'],
      },
    ]);
    // The code exchange went through core: exact header casing, the secret in the form body.
    const tokenRequests = sandbox.requests.filter((r) => r.path === '/oauth2/token');
    expect(tokenRequests).toHaveLength(1);
    expect(tokenRequests[0]).toMatchObject({ stagingToken: 'ok', clientAuth: 'post' });
    expect(tokenRequests[0]!.headerNames).toContain('X-Qonto-Staging-Token');
  });

  it('sends PKCE S256 and the state Better Auth checks on the callback', async () => {
    const a = await app();
    const authorize = new URL(await new Browser(a).startSignIn());
    expect(authorize.origin).toBe(sandbox.url);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authorize.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get('redirect_uri')).toBe(`${a.url}/api/auth/callback/qonto`);
    expect(authorize.searchParams.get('scope')).toBe(
      'offline_access openid membership.read organization.read',
    );

    // A callback carried to another browser (no state cookie) is refused, and no account is made.
    const callback = await (await import('@qonto-oauth/sandbox/testing')).completeAuthorization(
      authorize.href,
      sandbox.users[1]!,
    );
    const stranger = new Browser(a);
    const response = await stranger.fetch(callback);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toMatch(/error=/);
    expect(qontoRows(a)).toEqual([]);
  });

  it('gives a second organization of the same person a second account on the same user', async () => {
    const a = await app();
    const person = sandbox.users[0]!;
    const [first, second] = person.organizations;

    const browser = new Browser(a);
    await browser.signIn(person, { organizationId: first!.id });
    const { body: firstSession } = await browser.call<Session>('/get-session');
    // Signed out, the person connects their other organization: linked by their (verified) email.
    const later = new Browser(a);
    expect((await later.signIn(person, { organizationId: second!.id })).pathname).toBe('/dashboard');
    const { body: secondSession } = await later.call<Session>('/get-session');

    expect(secondSession!.user.id).toBe(firstSession!.user.id);
    expect(a.db.user).toHaveLength(1);
    const { body: accounts } = await later.call<QontoAccount[]>('/qonto/accounts');
    expect(accounts.map((acc) => acc.organization?.id).sort()).toEqual([first!.id, second!.id].sort());
    expect(new Set(accounts.map((acc) => acc.membershipId)).size).toBe(2);
    const rows = qontoRows(a);
    expect(rows[0]!.refreshToken).not.toBe(rows[1]!.refreshToken);

    // Signing in again with the first organization reuses its account.
    await new Browser(a).signIn(person, { organizationId: first!.id });
    expect(qontoRows(a)).toHaveLength(2);
  });

  it('with trustEmail: false, reports the email unverified and Better Auth links nothing by email', async () => {
    const a = await app({ qonto: { trustEmail: false } });
    const person = sandbox.users[0]!;
    await new Browser(a).signIn(person, { organizationId: person.organizations[0]!.id });
    expect(a.db.user?.[0]).toMatchObject({ email: person.email, emailVerified: false });

    const landed = await new Browser(a).signIn(person, { organizationId: person.organizations[1]!.id });
    expect(landed.searchParams.get('error')).toBe('account_not_linked');
    expect(qontoRows(a)).toHaveLength(1);
  });

  it("never gives a Qonto sign-in to a local user who did not verify the member's email (signed up first)", async () => {
    const a = await app({ auth: { emailAndPassword: { enabled: true } } });
    const person = sandbox.users[1]!;
    // Someone signs up with the member's email and a password of their own, and never verifies it.
    const signUp = await new Browser(a).call('/sign-up/email', {
      body: { email: person.email, password: 'not-the-members-password-1', name: 'Not the member' },
    });
    expect(signUp.status).toBe(200);
    expect(a.db.user).toEqual([expect.objectContaining({ email: person.email, emailVerified: false })]);

    const landed = await new Browser(a).signIn(person);
    expect(landed.searchParams.get('error')).toBe('account_not_linked');
    expect(qontoRows(a)).toEqual([]);
    expect(a.db.user).toEqual([expect.objectContaining({ emailVerified: false })]);
  });

  it('takes Better Auth provider options: disableSignUp, disableImplicitSignUp, mapProfileToUser', async () => {
    const person = sandbox.users[1]!;
    const closed = await app({ qonto: { disableSignUp: true } });
    const refused = await new Browser(closed).signIn(person);
    expect(refused.searchParams.get('error')).toBe('signup_disabled');
    expect(closed.db.user).toEqual([]);

    const implicit = await app({ qonto: { disableImplicitSignUp: true } });
    expect((await new Browser(implicit).signIn(person)).searchParams.get('error')).toBe('signup_disabled');
    const asked = new Browser(implicit);
    const url = await asked.startSignIn({ requestSignUp: true });
    expect((await asked.consentAndReturn(url, person)).pathname).toBe('/dashboard');
    expect(implicit.db.user).toHaveLength(1);

    const mapped = await app({
      qonto: {
        mapProfileToUser: (profile) => ({ name: `${profile.name} (${profile.organization?.legalName})` }),
      },
    });
    await new Browser(mapped).signIn(person);
    expect(mapped.db.user?.[0]).toMatchObject({
      name: `${person.firstName} ${person.lastName} (${person.organizations[0]!.legalName})`,
    });
  });

  it('links a Qonto account to a signed-in user with linkSocial', async () => {
    const a = await app();
    const person = sandbox.users[0]!;
    const browser = new Browser(a);
    await browser.signIn(person, { organizationId: person.organizations[0]!.id });
    const landed = await browser.consentAndReturn(await browser.startLink(), person, {
      organizationId: person.organizations[1]!.id,
    });
    expect(landed.pathname).toBe('/dashboard');
    const { body: accounts } = await browser.call<QontoAccount[]>('/qonto/accounts');
    expect(accounts.map((acc) => acc.organization?.id)).toContain(person.organizations[1]!.id);
    expect(accounts).toHaveLength(2);
  });
});

describe('a failed sign-in lands on a Qonto error code, with the cause in the log', () => {
  function secretsIn(a: TestApp): string[] {
    return [a.clientSecret, sandbox.stagingToken];
  }

  it('stops a wrong staging token before the redirect to Qonto, on qonto_staging_gate', async () => {
    const wrongToken = 'not-the-staging-token';
    const a = await app({ qonto: { stagingToken: wrongToken } });
    const browser = new Browser(a);
    sandbox.requests.clear();

    // The sign-in's URL is Better Auth's own callback with the error, never Qonto's authorize page.
    const start = new URL(await browser.startSignIn());
    expect(start.origin + start.pathname).toBe(`${a.url}/api/auth/callback/qonto`);
    expect(start.searchParams.get('error')).toBe('qonto_staging_gate');
    const response = await browser.fetch(start.href);
    await response.body?.cancel();
    expect(response.status).toBe(302);
    const landed = new URL(response.headers.get('location')!, a.url);

    expect(landed.pathname).toBe('/oops');
    expect(landed.searchParams.get('error')).toBe('qonto_staging_gate');
    expect(sandbox.requests.filter((r) => r.path === '/oauth2/auth')).toEqual([]);
    expect(sandbox.requests.filter((r) => r.path === '/oauth2/token')).toHaveLength(1);
    const log = a.logs.map((l) => l.message).join('\n');
    expect(log).toMatch(/Qonto sign-in failed \(qonto_staging_gate\):.*QONTO_STAGING_TOKEN/);
    expect(log).toContain('Sign-in stopped before the redirect to Qonto.');
    for (const secret of [...secretsIn(a), wrongToken]) expect(log).not.toContain(secret);
    expect(landed.href).not.toContain(wrongToken);
    expect(qontoRows(a)).toEqual([]);

    // Checked once per process and staging token: the next sign-in is stopped without another request.
    expect(new URL(await browser.startSignIn()).searchParams.get('error')).toBe('qonto_staging_gate');
    expect(sandbox.requests.filter((r) => r.path === '/oauth2/token')).toHaveLength(1);
  });

  it('names the staging gate at the callback when the check proved nothing (network failure)', async () => {
    // The probe's request fails: the sign-in goes on, and the code exchange meets the gate.
    const probeFails: typeof fetch = async (input, init) => {
      if (init?.body === 'grant_type=authorization_code') throw new TypeError('fetch failed');
      return fetch(input, init);
    };
    const a = await app({ qonto: { stagingToken: 'unchecked-staging-token', fetch: probeFails } });
    const landed = await new Browser(a).signIn(sandbox.users[1]!);

    expect(landed.pathname).toBe('/oops');
    expect(landed.searchParams.get('error')).toBe('qonto_staging_gate');
    const log = a.logs.map((l) => l.message).join('\n');
    expect(log).toMatch(/Qonto sign-in failed \(qonto_staging_gate\):.*[Ss]taging/);
    for (const secret of [...secretsIn(a), 'unchecked-staging-token']) expect(log).not.toContain(secret);
    expect(qontoRows(a)).toEqual([]);
  });

  it('names invalid_client when the client secret is wrong', async () => {
    const a = await app({ clientSecretAtQonto: 'the-secret-qonto-expects' });
    const landed = await new Browser(a).signIn(sandbox.users[1]!);

    expect(landed.searchParams.get('error')).toBe('qonto_invalid_client');
    const log = a.logs.map((l) => l.message).join('\n');
    expect(log).toMatch(/qonto_invalid_client.*other environment/s);
    for (const secret of secretsIn(a)) expect(log).not.toContain(secret);
  });

  it('keeps access_denied when the person declines, and creates nobody', async () => {
    const a = await app();
    const browser = new Browser(a);
    const landed = await browser.consentAndReturn(await browser.startSignIn(), sandbox.users[1]!, {
      deny: true,
    });

    expect(landed.pathname).toBe('/oops');
    expect(landed.searchParams.get('error')).toBe('access_denied');
    expect(a.db.user).toEqual([]);
    expect((await browser.call<Session>('/get-session')).body).toBeNull();
  });
});
