import { QontoApiClient, QontoApiError } from '@qonto-oauth/core';
import type { QontoSandbox } from '@qonto-oauth/sandbox';
import { beforeAll, describe, expect, it } from 'vitest';
import { getQontoApi, type QontoAccount } from '../src/index.js';
import { Browser, type startApp, useEmulator } from './helpers/app.js';
import { accessTokenBody, expireAccessToken, qontoRows } from './helpers/rows.js';

const emulator = useEmulator();
let sandbox: QontoSandbox;
beforeAll(() => {
  sandbox = emulator.sandbox;
});

async function signedIn(o: Parameters<typeof startApp>[1] = {}) {
  const app = await emulator.app(o);
  const browser = new Browser(app);
  await browser.signIn(sandbox.users[1]!);
  const row = qontoRows(app)[0]!;
  return { app, browser, row };
}

type AccessToken = { accessToken: string; accessTokenExpiresAt: string };

function refreshRequests() {
  return sandbox.requests.filter((r) => r.method === 'POST' && r.path === '/oauth2/token');
}

function apiWith(accessToken: string) {
  return new QontoApiClient({
    environment: sandbox.endpoints,
    stagingToken: sandbox.stagingToken,
    tokens: accessToken,
  });
}

describe('auth.api.getAccessToken with Qonto', () => {
  it('refreshes an expired access token through core and saves the rotated refresh token on the row', async () => {
    const { app, browser, row } = await signedIn();
    const before = { accessToken: row.accessToken, refreshToken: row.refreshToken };
    expireAccessToken(row);
    sandbox.requests.clear();

    const { status, body } = await browser.call<AccessToken>('/get-access-token', {
      body: accessTokenBody(app, row),
    });

    expect(status).toBe(200);
    expect(body.accessToken).not.toBe(before.accessToken);
    expect(new Date(body.accessTokenExpiresAt).getTime()).toBeGreaterThan(Date.now());
    const saved = qontoRows(app)[0]!;
    expect(saved.accessToken).toBe(body.accessToken);
    expect(saved.refreshToken).toEqual(expect.any(String));
    expect(saved.refreshToken).not.toBe(before.refreshToken);
    expect(refreshRequests()).toHaveLength(1);
    expect(refreshRequests()[0]).toMatchObject({ stagingToken: 'ok', clientAuth: 'post' });
    // The new access token works at Qonto.
    expect((await apiWith(body.accessToken).getMembership()).id).toBe(row.accountId);
  });

  it('rotates once for concurrent calls on one account, and every caller gets the new token', async () => {
    const { app, browser, row } = await signedIn();
    const oldRefreshToken = row.refreshToken;
    expireAccessToken(row);
    sandbox.requests.clear();

    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        browser.call<AccessToken>('/get-access-token', { body: accessTokenBody(app, row) }),
      ),
    );

    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    expect(new Set(results.map((r) => r.body.accessToken)).size).toBe(1);
    expect(refreshRequests()).toHaveLength(1);
    const saved = qontoRows(app)[0]!;
    expect(saved.accessToken).toBe(results[0]!.body.accessToken);
    expect(saved.refreshToken).not.toBe(oldRefreshToken);

    // The saved refresh token is the live one: the next expiry refreshes again from it.
    expireAccessToken(saved);
    const next = await browser.call<AccessToken>('/get-access-token', { body: accessTokenBody(app, saved) });
    expect(next.status).toBe(200);
    expect(next.body.accessToken).not.toBe(results[0]!.body.accessToken);
    expect(refreshRequests()).toHaveLength(2);
  });

  it("fails with Better Auth's error code, the Qonto cause and reconnectRequired when Qonto refuses the refresh token", async () => {
    const { app, browser, row } = await signedIn();
    // The consent is gone at Qonto (revoked elsewhere): the refresh token is refused.
    await apiWith(row.accessToken!).request('/v2/oauth2/consents', { method: 'DELETE' });
    expireAccessToken(row);

    const { status, body } = await browser.call<{
      code: string;
      qontoError: string;
      reconnectRequired: boolean;
    }>('/get-access-token', { body: accessTokenBody(app, row) });

    expect(status).toBe(400);
    // Better Auth's code, with the Qonto cause the app can act on: send the user through Qonto again.
    expect(body).toMatchObject({
      code: 'FAILED_TO_GET_ACCESS_TOKEN',
      qontoError: 'qonto_invalid_grant',
      reconnectRequired: true,
    });
    // The same through a server-side call naming the user.
    await expect(
      app.auth.api.getAccessToken({ body: { ...accessTokenBody(app, row), userId: row.userId } as never }),
    ).rejects.toMatchObject({
      body: { code: 'FAILED_TO_GET_ACCESS_TOKEN', qontoError: 'qonto_invalid_grant' },
    });
    const log = app.logs.map((l) => l.message).join('\n');
    expect(log).toMatch(/Qonto token refresh failed \(qonto_invalid_grant\)/);
    expect(log).not.toContain(row.refreshToken!);
    expect(log).not.toContain(app.clientSecret);
  });
});

describe('getQontoApi', () => {
  it("calls the Business API with the signed-in user's account, refreshing and saving as needed", async () => {
    const { app, browser, row } = await signedIn();
    const api = await getQontoApi(app.auth, { headers: browser.headers() });
    expect((await api.getOrganization()).id).toBe(sandbox.users[1]!.organizations[0]!.id);

    expireAccessToken(row);
    const oldRefreshToken = row.refreshToken;
    sandbox.requests.clear();
    expect((await api.getMembership()).id).toBe(row.accountId);
    expect(refreshRequests()).toHaveLength(1);
    const saved = qontoRows(app)[0]!;
    expect(saved.refreshToken).not.toBe(oldRefreshToken);
    // Better Auth reads the same row: no second rotation.
    const viaBetterAuth = await browser.call<AccessToken>('/get-access-token', {
      body: accessTokenBody(app, saved),
    });
    expect(viaBetterAuth.body.accessToken).toBe(saved.accessToken);
    expect(refreshRequests()).toHaveLength(1);
  });

  it('keeps the row encrypted when Better Auth encrypts OAuth tokens', async () => {
    const { app, browser, row } = await signedIn({ auth: { account: { encryptOAuthTokens: true } } });
    expireAccessToken(row);
    sandbox.requests.clear();
    const api = await getQontoApi(app.auth, { headers: browser.headers() });
    expect((await api.getMembership()).id).toBe(row.accountId);
    expect(refreshRequests()).toHaveLength(1);

    const saved = qontoRows(app)[0]!;
    const viaBetterAuth = await browser.call<AccessToken>('/get-access-token', {
      body: accessTokenBody(app, saved),
    });
    expect(viaBetterAuth.status).toBe(200);
    // The row holds ciphertext; Better Auth decrypts it to the token the refresh saved, which Qonto accepts.
    expect(saved.accessToken).not.toBe(viaBetterAuth.body.accessToken);
    expect((await apiWith(viaBetterAuth.body.accessToken).getMembership()).id).toBe(row.accountId);
    expect(refreshRequests()).toHaveLength(1);
  });

  it('asks which account when the user has several, and refuses one that is not theirs', async () => {
    const app = await emulator.app();
    const person = sandbox.users[0]!;
    const browser = new Browser(app);
    await browser.signIn(person, { organizationId: person.organizations[0]!.id });
    await browser.signIn(person, { organizationId: person.organizations[1]!.id });

    await expect(getQontoApi(app.auth, { headers: browser.headers() })).rejects.toMatchObject({
      body: { code: 'QONTO_ACCOUNT_REQUIRED' },
    });
    const { body: accounts } = await browser.call<QontoAccount[]>('/qonto/accounts');
    const second = accounts.find((acc) => acc.organization?.id === person.organizations[1]!.id)!;
    const api = await getQontoApi(app.auth, { headers: browser.headers(), accountId: second.membershipId });
    expect((await api.getOrganization()).id).toBe(person.organizations[1]!.id);

    const other = new Browser(app);
    await other.signIn(sandbox.users[1]!);
    await expect(
      getQontoApi(app.auth, { headers: other.headers(), accountId: second.id }),
    ).rejects.toMatchObject({ body: { code: 'QONTO_ACCOUNT_NOT_FOUND' } });
    await expect(getQontoApi(app.auth, { headers: new Headers() })).rejects.toMatchObject({
      status: 'UNAUTHORIZED',
    });
  });
});

describe('disconnecting a Qonto account', () => {
  it("revokes the consent at Qonto and removes the user's last account; the session stays", async () => {
    const { browser, row, app } = await signedIn();
    const accessToken = row.accessToken!;

    const { status, body } = await browser.call<{ status: boolean }>('/qonto/disconnect', {
      body: { accountId: row.id },
    });

    expect(status).toBe(200);
    expect(body).toEqual({ status: true, revoked: true });
    expect(qontoRows(app)).toEqual([]);
    await expect(apiWith(accessToken).getMembership()).rejects.toMatchObject({ status: 401 });
    expect(sandbox.requests.some((r) => r.method === 'DELETE' && r.path === '/v2/oauth2/consents')).toBe(
      true,
    );
    const { body: session } = await browser.call<{ user: { id: string } } | null>('/get-session');
    expect(session?.user.id).toBe(row.userId);
    expect((await browser.call<QontoAccount[]>('/qonto/accounts')).body).toEqual([]);
  });

  it('refreshes an expired token before revoking, and removes an account whose consent Qonto already forgot', async () => {
    const { browser, row, app } = await signedIn();
    expireAccessToken(row);
    sandbox.requests.clear();
    expect((await browser.call('/qonto/disconnect', { body: { accountId: row.accountId } })).status).toBe(
      200,
    );
    expect(refreshRequests()).toHaveLength(1);
    expect(qontoRows(app)).toEqual([]);

    const again = await signedIn();
    await apiWith(again.row.accessToken!).request('/v2/oauth2/consents', { method: 'DELETE' });
    expect(
      (await again.browser.call('/qonto/disconnect', { body: { accountId: again.row.id } })).status,
    ).toBe(200);
    expect(qontoRows(again.app)).toEqual([]);
  });

  it('keeps the account and answers 502 with a Qonto code when Qonto cannot be reached', async () => {
    const { browser, row, app } = await signedIn();
    sandbox.faults.failNext('DELETE /v2/oauth2/consents', 503, { count: 10 });

    const { status, body } = await browser.call<{ code: string; message: string }>('/qonto/disconnect', {
      body: { accountId: row.id },
    });

    expect(status).toBe(502);
    expect(body.code).toBe('QONTO_DISCONNECT_FAILED');
    expect(qontoRows(app)).toHaveLength(1);
    expect(app.logs.map((l) => l.message).join('\n')).toMatch(/Qonto disconnect failed.*503/s);
  });

  it('removes an account whose token cannot revoke (no organization.read), saying so, rather than fail forever', async () => {
    const { browser, row, app } = await signedIn({
      qonto: { scopes: ['offline_access', 'openid', 'membership.read'] },
    });
    const { status, body } = await browser.call('/qonto/disconnect', { body: { accountId: row.id } });
    expect(status).toBe(200);
    expect(body).toEqual({ status: true, revoked: false });
    expect(qontoRows(app)).toEqual([]);
    expect(app.logs.map((l) => l.message).join('\n')).toMatch(
      /could not revoke the consent; the account was removed all the same \(qonto_missing_scope\)/,
    );
  });

  it("refuses an account that is not the user's, and a call without session", async () => {
    const { row } = await signedIn();
    const { browser: other } = await signedIn();
    const { status, body } = await other.call<{ code: string }>('/qonto/disconnect', {
      body: { accountId: row.id },
    });
    expect(status).toBe(404);
    expect(body.code).toBe('QONTO_ACCOUNT_NOT_FOUND');
    const anonymous = new Browser(other.app);
    expect((await anonymous.call('/qonto/disconnect', { body: { accountId: row.id } })).status).toBe(401);
    expect((await other.call('/qonto/disconnect', { body: {} })).status).toBe(400);
  });
});

it('QontoApiError is what a revoked token gives (sanity of the helpers above)', async () => {
  await expect(apiWith('not-a-token').getMembership()).rejects.toBeInstanceOf(QontoApiError);
});
