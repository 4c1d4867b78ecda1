import { inspect } from 'node:util';
import { QontoConfigError } from '@qonto-oauth/core';
import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { betterAuth } from 'better-auth';
import { memoryAdapter } from 'better-auth/adapters/memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { qonto } from '../src/index.js';
import { Browser, startApp } from './helpers/app.js';

function authWith(plugin: () => ReturnType<typeof qonto>) {
  return () =>
    betterAuth({
      baseURL: 'http://127.0.0.1:3003',
      secret: 'a-test-secret-of-at-least-32-characters!!',
      database: memoryAdapter({}),
      plugins: [plugin()],
      telemetry: { enabled: false },
    });
}

describe('a misconfiguration fails when the auth instance is created', () => {
  it('refuses the sandbox without a staging token', () => {
    const create = authWith(() => qonto({ clientId: 'id', clientSecret: 'secret', environment: 'sandbox' }));
    expect(create).toThrow(QontoConfigError);
    expect(create).toThrow(/staging token/i);
  });

  it('refuses a staging token with production', () => {
    expect(
      authWith(() =>
        qonto({
          clientId: 'id',
          clientSecret: 'secret',
          environment: 'production',
          stagingToken: 'tok-123456',
        }),
      ),
    ).toThrow(/production/i);
  });

  it('refuses a client id without its secret, naming what is missing', () => {
    expect(authWith(() => qonto({ clientId: 'id' }))).toThrow(/missing clientSecret/);
  });

  it('refuses a malformed scope', () => {
    expect(
      authWith(() =>
        qonto({ clientId: 'id', clientSecret: 's', environment: 'production', scopes: ['two scopes'] }),
      ),
    ).toThrow(/scope/i);
  });

  it('reads QONTO_* like core when no credential is given, and names every missing variable', () => {
    expect(authWith(() => qonto({ env: {} }))).toThrow(
      /QONTO_CLIENT_ID is missing[\s\S]*QONTO_CLIENT_SECRET/,
    );
    expect(
      authWith(() =>
        qonto({ env: { QONTO_CLIENT_ID: 'id', QONTO_CLIENT_SECRET: 'secret', QONTO_ENV: 'sandbox' } }),
      ),
    ).toThrow(/QONTO_STAGING_TOKEN is missing/);
    expect(
      authWith(() =>
        qonto({ env: { QONTO_CLIENT_ID: 'id', QONTO_CLIENT_SECRET: 'secret', QONTO_ENV: 'production' } }),
      ),
    ).not.toThrow();
  });

  it('keeps the secret and the staging token out of the plugin and the options Better Auth holds', () => {
    const plugin = qonto({
      clientId: 'id',
      clientSecret: 'the-client-secret',
      environment: 'sandbox',
      stagingToken: 'the-staging-token',
    });
    for (const text of [inspect(plugin, { depth: 10 }), JSON.stringify(plugin)]) {
      expect(text).not.toContain('the-client-secret');
      expect(text).not.toContain('the-staging-token');
    }
  });
});

describe('configured from the environment', () => {
  let sandbox: QontoSandbox;
  beforeAll(async () => {
    sandbox = await startQontoSandbox();
  });
  afterAll(async () => {
    await sandbox?.close();
  });

  it('signs in with QONTO_SANDBOX_URL, QONTO_CLIENT_ID, QONTO_CLIENT_SECRET and QONTO_STAGING_TOKEN', async () => {
    const app = await startApp(sandbox, { fromEnv: true });
    try {
      expect((await new Browser(app).signIn(sandbox.users[1]!)).pathname).toBe('/dashboard');
    } finally {
      await app.close();
    }
  });
});
