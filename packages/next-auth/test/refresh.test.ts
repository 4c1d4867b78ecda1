import { QontoApiClient, QontoOAuthClient } from '@qonto-oauth/core';
import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { completeAuthorization } from '@qonto-oauth/sandbox/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type QontoJwtTokens, type RefreshQontoTokenOptions, refreshQontoToken } from '../src/authjs.js';

const CLIENT = { clientId: 'refresh-tests', clientSecret: 'refresh-tests-secret' };
const REDIRECT_URI = 'http://127.0.0.1/callback';
const HOUR = 3_600_000;

let sandbox: QontoSandbox;
let options: RefreshQontoTokenOptions;
beforeAll(async () => {
  sandbox = await startQontoSandbox();
  sandbox.addClient({ ...CLIENT, redirectUris: [REDIRECT_URI] });
  options = {
    ...CLIENT,
    environment: sandbox.endpoints,
    stagingToken: sandbox.stagingToken,
    now: sandbox.clock.now,
  };
});
afterAll(() => sandbox.close());

/** Signs a user in through core and returns the tokens as the `jwt` callback stores them. */
async function signedInToken(): Promise<QontoJwtTokens & { sub: string }> {
  const client = new QontoOAuthClient({ ...options, redirectUri: REDIRECT_URI });
  const { url, codeVerifier } = await client.createAuthorizationRequest();
  const callback = new URL(await completeAuthorization(url, sandbox.users[1]!));
  const tokens = await client.exchangeCode({ code: callback.searchParams.get('code')!, codeVerifier });
  return {
    sub: 'user-1',
    access_token: tokens.accessToken,
    refresh_token: tokens.refreshToken,
    expires_at: Math.floor(tokens.expiresAt / 1000),
  };
}

const refreshRequests = () =>
  sandbox.requests.filter((r) => r.method === 'POST' && r.path === '/oauth2/token');

describe('refreshQontoToken', () => {
  let token: QontoJwtTokens & { sub: string };
  beforeEach(async () => {
    token = await signedInToken();
    sandbox.requests.clear();
  });

  it('leaves a token that is still valid as it is, without asking Qonto', async () => {
    expect(await refreshQontoToken(token, options)).toBe(token);
    expect(refreshRequests()).toEqual([]);
  });

  it('refreshes once for concurrent calls after expiry, and returns the rotated token', async () => {
    sandbox.clock.advance(HOUR + 1_000);
    const results = await Promise.all([1, 2, 3, 4].map(() => refreshQontoToken(token, options)));
    expect(refreshRequests()).toHaveLength(1);
    const [rotated] = results;
    for (const result of results) expect(result).toEqual(rotated);
    expect(rotated).toMatchObject({
      sub: 'user-1',
      access_token: expect.any(String),
      refresh_token: expect.any(String),
    });
    expect(rotated!.refresh_token).not.toBe(token.refresh_token);
    expect(rotated!.access_token).not.toBe(token.access_token);
    expect(rotated!.expires_at! * 1000).toBeGreaterThan(sandbox.clock.now());
    expect(rotated).not.toHaveProperty('error');

    // A request that still carries the old cookie a moment later gets the same rotation, not a second one.
    sandbox.clock.advance(5_000);
    expect(await refreshQontoToken(token, options)).toEqual(rotated);
    expect(refreshRequests()).toHaveLength(1);

    // The new access token works, and the rotated set is not refreshed again.
    const api = new QontoApiClient({ ...options, tokens: rotated!.access_token! });
    await expect(api.getMembership()).resolves.toMatchObject({ email: sandbox.users[1]!.email });
    expect(await refreshQontoToken(rotated!, options)).toBe(rotated);
    expect(refreshRequests()).toHaveLength(1);
  });

  it('refreshes a minute before expiry, as Qonto recommends', async () => {
    sandbox.clock.advance(HOUR - 30_000);
    const rotated = await refreshQontoToken(token, options);
    expect(rotated.access_token).not.toBe(token.access_token);
    expect(refreshRequests()).toHaveLength(1);
  });

  it('marks a revoked connection with RefreshTokenError, keeping the rest of the token', async () => {
    const client = new QontoOAuthClient({ ...options, redirectUri: REDIRECT_URI });
    await client.revokeConsent(token.access_token!);
    sandbox.clock.advance(HOUR + 1_000);
    const result = await refreshQontoToken(token, options);
    expect(result).toEqual({ ...token, error: 'RefreshTokenError' });
    // Already known to be dead: no further request.
    expect(await refreshQontoToken(result, options)).toBe(result);
    expect(refreshRequests()).toHaveLength(1);
  });

  it('marks a token without a refresh token with RefreshTokenError', async () => {
    sandbox.clock.advance(HOUR + 1_000);
    const { refresh_token: _dropped, ...withoutRefreshToken } = token;
    expect(await refreshQontoToken(withoutRefreshToken, options)).toMatchObject({
      error: 'RefreshTokenError',
    });
    expect(refreshRequests()).toEqual([]);
  });

  it('keeps the token, marked RefreshTransientError, when Qonto answers 503; the next call refreshes and clears it', async () => {
    sandbox.clock.advance(HOUR + 1_000);
    sandbox.faults.failNext('POST /oauth2/token', 503);
    const reported: unknown[] = [];
    const failed = await refreshQontoToken(token, {
      ...options,
      onTransientError: (error) => reported.push(error),
    });
    expect(failed).toEqual({
      ...token,
      error: 'RefreshTransientError',
      error_reason: 'temporarily_unavailable',
    });
    expect(reported).toEqual([expect.objectContaining({ code: 'oauth', error: 'temporarily_unavailable' })]);

    const retried = await refreshQontoToken(failed, options);
    expect(refreshRequests()).toHaveLength(2);
    expect(retried.refresh_token).not.toBe(token.refresh_token);
    expect(retried.expires_at! * 1000).toBeGreaterThan(sandbox.clock.now());
    expect(retried).not.toHaveProperty('error');
    expect(retried).not.toHaveProperty('error_reason');
  });

  it('keeps the token, marked RefreshTransientError, behind the staging gate or with Qonto unreachable', async () => {
    sandbox.clock.advance(HOUR + 1_000);
    const gated = await refreshQontoToken(token, { ...options, stagingToken: 'stg-wrong-0002' });
    expect(gated).toEqual({ ...token, error: 'RefreshTransientError', error_reason: 'staging_gate' });

    const closed = await startQontoSandbox();
    await closed.close();
    const unreachable = await refreshQontoToken(token, {
      ...options,
      environment: closed.endpoints,
      stagingToken: closed.stagingToken,
    });
    expect(unreachable).toEqual({ ...token, error: 'RefreshTransientError', error_reason: 'network' });

    const rotated = await refreshQontoToken(unreachable, options);
    expect(rotated.refresh_token).not.toBe(token.refresh_token);
    expect(rotated).not.toHaveProperty('error');
  });

  it('drops a RefreshTransientError left by a forced refresh once the token it returns is still valid', async () => {
    const marked = { ...token, error: 'RefreshTransientError', error_reason: 'network' };
    expect(await refreshQontoToken(marked, options)).toEqual(token);
    expect(refreshRequests()).toEqual([]);
  });

  it('still throws what is not a Qonto failure (a bug), rather than hiding it', async () => {
    sandbox.clock.advance(HOUR + 1_000);
    const broken: typeof fetch = async () => {
      throw new TypeError('a bug in the custom fetch');
    };
    await expect(refreshQontoToken(token, { ...options, fetch: broken })).rejects.toThrow(
      'a bug in the custom fetch',
    );
  });
});
