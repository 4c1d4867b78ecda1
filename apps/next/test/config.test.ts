import { QontoOAuthError, QontoStagingGateError } from '@qonto-oauth/core';
import { DEMO_CLIENT_ID, DEMO_SANDBOX_URL, DEMO_STAGING_TOKEN } from '@qonto-oauth/sandbox/demo';
import { describe, expect, it } from 'vitest';
import { qontoConfigFor } from '../src/lib/qonto-config';
import { signInFailureCode } from '../src/lib/sign-in-failure';
import { signInHint } from '../src/lib/sign-in-hints';

describe('the Qonto settings the app reads at request time', () => {
  it('prefers AUTH_QONTO_* over QONTO_*', () => {
    const app = qontoConfigFor({
      AUTH_QONTO_ID: 'auth-id',
      AUTH_QONTO_SECRET: 'auth-secret',
      AUTH_QONTO_STAGING_TOKEN: 'auth-staging',
      QONTO_CLIENT_ID: 'project-id',
      QONTO_CLIENT_SECRET: 'project-secret',
      QONTO_STAGING_TOKEN: 'project-staging',
    });
    expect(app.ok && app.qonto).toMatchObject({
      clientId: 'auth-id',
      clientSecret: 'auth-secret',
      stagingToken: 'auth-staging',
      environment: 'sandbox',
    });
  });

  it('falls back to the QONTO_* names and honours QONTO_ENV=production', () => {
    const app = qontoConfigFor({
      QONTO_CLIENT_ID: 'id',
      QONTO_CLIENT_SECRET: 'secret',
      QONTO_ENV: 'production',
    });
    expect(app.ok && app.qonto).toMatchObject({ clientId: 'id', environment: 'production' });
    expect(app.ok && app.label).toBe('Qonto production');
  });

  it('uses the emulator demo client without a client id: at QONTO_SANDBOX_URL, else at its default URL', () => {
    const atUrl = qontoConfigFor({ QONTO_SANDBOX_URL: 'http://127.0.0.1:4999' });
    expect(atUrl.ok && atUrl.source).toBe('demo');
    expect(atUrl.ok && atUrl.qonto).toMatchObject({
      clientId: DEMO_CLIENT_ID,
      stagingToken: DEMO_STAGING_TOKEN,
      environment: { tokenUrl: 'http://127.0.0.1:4999/oauth2/token' },
    });
    const unset = qontoConfigFor({});
    expect(unset.ok && unset.label).toContain(DEMO_SANDBOX_URL);
  });

  it('reports an incomplete configuration instead of throwing, naming the variable and no secret', () => {
    const app = qontoConfigFor({ AUTH_QONTO_ID: 'id', AUTH_QONTO_SECRET: 'very-secret-value' });
    expect(app.ok).toBe(false);
    if (app.ok) return;
    expect(app.error.message).toContain('QONTO_STAGING_TOKEN is missing');
    expect(app.error.message).not.toContain('very-secret-value');
  });
});

describe('the hint on the sign-in error page', () => {
  it('finds core’s error inside the error Auth.js logs', () => {
    const gate = new QontoStagingGateError('gate', { status: 302 });
    // Auth.js's CallbackRouteError keeps the original error as `cause.err`.
    const logged = Object.assign(new Error('Read more at https://errors.authjs.dev#callbackrouteerror'), {
      type: 'CallbackRouteError',
      cause: { err: gate, provider: 'qonto' },
    });
    expect(signInFailureCode(logged)).toBe('staging_gate');
    const refused = new QontoOAuthError('refused', { error: 'invalid_client' });
    expect(signInFailureCode({ type: 'CallbackRouteError', cause: { err: refused } })).toBe('invalid_client');
    expect(signInFailureCode({ type: 'MissingSecret' })).toBe('missing_secret');
    expect(signInFailureCode(new Error('something else'))).toBeUndefined();
  });

  it('gives the specific hint when the cause is known, else the one of Auth.js’s code', () => {
    expect(signInHint('Configuration', 'staging_gate').hint).toContain('AUTH_QONTO_STAGING_TOKEN');
    expect(signInHint('Configuration', 'invalid_client').hint).toContain(
      'credentials of the other environment',
    );
    expect(signInHint('OAuthCallbackError', 'access_denied').title).toBe('Connection declined');
    expect(signInHint('Configuration', undefined).hint).toContain('staging token');
    expect(signInHint('Configuration', 'made_up_code').title).toBe(
      signInHint('Configuration', undefined).title,
    );
    expect(signInHint('<script>', '<script>').title).toBe('Connecting Qonto did not work');
  });
});
