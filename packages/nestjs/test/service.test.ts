import { inspect } from 'node:util';
import { isQontoError, type QontoOAuthError } from '@qonto-oauth/core';
import { QontoService } from '@qonto-oauth/nestjs';
import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { completeAuthorization } from '@qonto-oauth/sandbox/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from './helpers/app.js';
import { get } from './helpers/http.js';

let sandbox: QontoSandbox;
let app: TestApp;
let qonto: QontoService;

beforeAll(async () => {
  sandbox = await startQontoSandbox();
  app = await startTestApp(sandbox);
  qonto = app.app.get(QontoService);
});
afterAll(async () => {
  await app.close();
  await sandbox.close();
});

/** The login an app drives itself with QontoService (no guard): URL, browser, callback. */
async function connect(o: { deny?: boolean } = {}) {
  const request = await qonto.createAuthorizationRequest();
  const user = sandbox.users[1]!;
  const callbackUrl = await completeAuthorization(request.url, {
    email: user.email,
    password: user.password,
    ...(o.deny ? { deny: true } : {}),
  });
  return { request, callbackUrl, user };
}

async function oauthError(promise: Promise<unknown>): Promise<QontoOAuthError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isQontoError(error)).toBe(true);
  return error as QontoOAuthError;
}

describe('QontoService against the emulator', () => {
  it('handleCallback checks state, exchanges the code and returns the profile and tokens', async () => {
    const { request, callbackUrl, user } = await connect();
    const query = Object.fromEntries(new URL(callbackUrl).searchParams);
    const login = await qonto.handleCallback(query, request);
    expect(login.profile).toMatchObject({ email: user.email, userId: user.id });
    expect(login.tokens.refreshToken).toBeTruthy();
    expect(login.tokens.expiresAt).toBeGreaterThan(Date.now() + 3_500_000);
  });

  it('handleCallback refuses a state that is not the one kept, before any token request', async () => {
    const { request, callbackUrl } = await connect();
    sandbox.requests.clear();
    const error = await oauthError(qonto.handleCallback(callbackUrl, { ...request, state: 'another-login' }));
    expect(error.error).toBe('invalid_state');
    expect(sandbox.requests.filter((r) => r.path === '/oauth2/token')).toEqual([]);
  });

  it('handleCallback reports a denied consent as access_denied', async () => {
    const { request, callbackUrl } = await connect({ deny: true });
    const error = await oauthError(qonto.handleCallback(new URL(callbackUrl), request));
    expect(error.error).toBe('access_denied');
  });

  it('refresh rotates the tokens once the access token has expired on the emulator clock', async () => {
    const { request, callbackUrl } = await connect();
    const { tokens } = await qonto.handleCallback(callbackUrl, request);
    sandbox.clock.advance(2 * 60 * 60 * 1000);
    expect((await get(`${app.origin}/organization`, undefined, tokens.accessToken)).status).toBe(401);

    const rotated = await qonto.refresh(tokens.refreshToken!);
    expect(rotated.accessToken).not.toBe(tokens.accessToken);
    expect(rotated.refreshToken).not.toBe(tokens.refreshToken);
    expect(rotated.expiresAt).toBeGreaterThan(Date.now() + 3_500_000);
    expect((await get(`${app.origin}/organization`, undefined, rotated.accessToken)).status).toBe(200);
  });

  it('api(tokens) refreshes an expired TokenSet by itself', async () => {
    const { request, callbackUrl, user } = await connect();
    const { tokens } = await qonto.handleCallback(callbackUrl, request);
    sandbox.clock.advance(2 * 60 * 60 * 1000);
    // The app's clock does not move with the emulator's: mark the set expired as the app would see it later.
    const organization = await qonto.api({ ...tokens, expiresAt: Date.now() - 1 }).getOrganization();
    expect(organization.id).toBe(user.organizations[0]!.id);
  });

  it('tokenManager({ tokens }) without a store keeps the set to itself and rotates it', async () => {
    const { request, callbackUrl } = await connect();
    const { tokens } = await qonto.handleCallback(callbackUrl, request);
    const manager = qonto.tokenManager({ tokens });
    expect(await manager.getAccessToken()).toBe(tokens.accessToken);
    const rotated = await manager.refreshNow();
    expect(rotated.refreshToken).not.toBe(tokens.refreshToken);
    expect(await manager.getTokens()).toEqual(rotated);
    // With neither tokens nor a store there is nothing to manage: a configuration error says what to pass.
    expect(() => qonto.tokenManager({})).toThrow(/needs \{ client.*tokens/);
  });

  it('revokeConsent makes the tokens stop working: the API then answers 401', async () => {
    const { request, callbackUrl } = await connect();
    const { tokens } = await qonto.handleCallback(callbackUrl, request);
    expect((await get(`${app.origin}/organization`, undefined, tokens.accessToken)).status).toBe(200);
    await qonto.revokeConsent(tokens.accessToken);
    const after = await get(`${app.origin}/organization`, undefined, tokens.accessToken);
    expect(after.status).toBe(401);
    expect(((await after.json()) as { message: string }).message).toMatch(/401/);
    const refresh = await oauthError(qonto.refresh(tokens.refreshToken!));
    expect(refresh.reconnectRequired).toBe(true);
  });

  it('never shows a secret when the service is logged', () => {
    const printed = inspect(qonto, { depth: 6 });
    expect(printed).not.toContain(sandbox.stagingToken);
    expect(printed).not.toContain('secret-nest-test');
  });
});
