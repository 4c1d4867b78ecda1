import { execFileSync } from 'node:child_process';
import { dirname, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_DATABASE_FILE, serverSetupFromEnv } from '../src/config.js';

const appDir = dirname(dirname(DEFAULT_DATABASE_FILE));

describe('the environment the server reads', () => {
  it('keeps the database in apps/better-auth/data/, a folder git ignores', () => {
    expect(relative(appDir, DEFAULT_DATABASE_FILE)).toBe('data/example-better-auth.db');
    const ignored = execFileSync('git', ['check-ignore', DEFAULT_DATABASE_FILE], { cwd: appDir }).toString();
    expect(ignored.trim()).toBe(DEFAULT_DATABASE_FILE);
  });

  it('uses the demo client of the emulator at QONTO_SANDBOX_URL, on port 3003, with a random secret', async () => {
    const setup = await serverSetupFromEnv({ QONTO_SANDBOX_URL: 'http://127.0.0.1:4999' });
    expect(setup.port).toBe(3003);
    expect(setup.emulator).toBeUndefined();
    expect(setup.config).toMatchObject({
      baseURL: 'http://localhost:3003',
      databaseFile: DEFAULT_DATABASE_FILE,
      qonto: {
        clientId: 'qonto-oauth-demo',
        environment: { tokenUrl: 'http://127.0.0.1:4999/oauth2/token' },
      },
    });
    expect(setup.config.secret.length).toBeGreaterThanOrEqual(32);
    expect(setup.notes.join('\n')).not.toContain(setup.config.secret);
  });

  it('hands the QONTO_* variables to qonto() when the app has its own client, and takes PORT, BETTER_AUTH_URL, DATABASE_FILE', async () => {
    const env = {
      QONTO_CLIENT_ID: 'my-app',
      QONTO_CLIENT_SECRET: 'my-secret',
      QONTO_STAGING_TOKEN: 'my-staging-token',
      PORT: '4100',
      BETTER_AUTH_URL: 'https://bank.example',
      DATABASE_FILE: '/var/lib/app/app.db',
      BETTER_AUTH_SECRET: 'a-secret-of-at-least-thirty-two-chars',
    };
    const setup = await serverSetupFromEnv(env);
    expect(setup.port).toBe(4100);
    expect(setup.config).toEqual({
      baseURL: 'https://bank.example',
      secret: env.BETTER_AUTH_SECRET,
      databaseFile: '/var/lib/app/app.db',
      qonto: { env },
    });
    const notes = setup.notes.join('\n');
    for (const secret of ['my-secret', 'my-staging-token', env.BETTER_AUTH_SECRET])
      expect(notes).not.toContain(secret);
  });

  it('refuses a BETTER_AUTH_URL that is not an http(s) origin, naming it', async () => {
    await expect(
      serverSetupFromEnv({ BETTER_AUTH_URL: '/', QONTO_SANDBOX_URL: 'http://127.0.0.1:4999' }),
    ).rejects.toThrow(
      'BETTER_AUTH_URL must be the app\'s public origin, such as https://app.example.com, not "/".',
    );
  });

  it('refuses a PORT that is not a port number, naming it', async () => {
    await expect(
      serverSetupFromEnv({ PORT: 'http', QONTO_SANDBOX_URL: 'http://127.0.0.1:4999' }),
    ).rejects.toThrow('PORT must be a port number (0-65535), not "http".');
  });
});
