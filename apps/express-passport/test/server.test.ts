import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QontoConfigError } from '@qonto-oauth/core';
import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { DEMO_CLIENT_ID, DEMO_SANDBOX_PORT, DEMO_STAGING_TOKEN } from '@qonto-oauth/sandbox/demo';
import { completeAuthorization } from '@qonto-oauth/sandbox/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serverSetupFromEnv } from '../src/config.js';
import { TestBrowser } from './helpers/browser.js';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');

let demo: QontoSandbox;
beforeAll(async () => {
  demo = await startQontoSandbox({ demo: true });
});
afterAll(() => demo.close());

describe('configuration from the environment', () => {
  it('uses the demo client of the emulator at QONTO_SANDBOX_URL when there is no QONTO_CLIENT_ID', async () => {
    const setup = await serverSetupFromEnv({ QONTO_SANDBOX_URL: demo.url, PORT: '3105' });
    expect(setup.emulator).toBeUndefined();
    expect(setup.port).toBe(3105);
    expect(setup.config.qonto).toMatchObject({
      environment: demo.endpoints,
      clientId: DEMO_CLIENT_ID,
      stagingToken: DEMO_STAGING_TOKEN,
      redirectUri: 'http://localhost:3105/auth/qonto/callback',
    });
  });

  it("takes QONTO_REDIRECT_URI with the emulator's demo client too (behind a proxy, several instances)", async () => {
    const setup = await serverSetupFromEnv({
      QONTO_SANDBOX_URL: demo.url,
      PORT: '3105',
      QONTO_REDIRECT_URI: 'http://127.0.0.1:3105/auth/qonto/callback',
    });
    expect(setup.config.qonto.redirectUri).toBe('http://127.0.0.1:3105/auth/qonto/callback');
  });

  it('reads QONTO_* through qontoConfigFromEnv, with 3001 as the default port', async () => {
    const setup = await serverSetupFromEnv({
      QONTO_ENV: 'production',
      QONTO_CLIENT_ID: 'prod-id',
      QONTO_CLIENT_SECRET: 'prod-secret',
    });
    expect(setup.port).toBe(3001);
    expect(setup.config.qonto).toMatchObject({
      environment: 'production',
      clientId: 'prod-id',
      redirectUri: 'http://localhost:3001/auth/qonto/callback',
    });
    expect(setup.notes.join('\n')).not.toContain('prod-secret');
  });

  it("throws core's QontoConfigError naming what is missing", async () => {
    await expect(serverSetupFromEnv({ QONTO_CLIENT_ID: 'sandbox-id' })).rejects.toBeInstanceOf(
      QontoConfigError,
    );
    await expect(serverSetupFromEnv({ QONTO_CLIENT_ID: 'sandbox-id' })).rejects.toThrow(
      /QONTO_STAGING_TOKEN/,
    );
    await expect(serverSetupFromEnv({ PORT: 'http' })).rejects.toThrow(/PORT/);
  });

  it(`starts its own emulator in demo mode, on another port when ${DEMO_SANDBOX_PORT} is taken`, async () => {
    // Whether this test or something else holds 4010, it is taken while the app starts its emulator.
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => {
      blocker.once('error', () => resolve());
      blocker.listen(DEMO_SANDBOX_PORT, '127.0.0.1', () => resolve());
    });
    const setup = await serverSetupFromEnv({});
    try {
      expect(setup.emulator).toBeDefined();
      expect(new URL(setup.emulator!.url).port).not.toBe(String(DEMO_SANDBOX_PORT));
      expect(setup.config.qonto.clientId).toBe(DEMO_CLIENT_ID);
      expect(setup.notes.join('\n')).toContain(setup.emulator!.url);
      expect((await fetch(setup.emulator!.url)).status).toBe(200);
    } finally {
      await setup.emulator?.close();
      blocker.close();
    }
  });
});

describe('the built server (pnpm start)', () => {
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (child?.pid !== undefined && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('listens on PORT (0: a free port, which its callback and forms then name) and signs a demo user in', async () => {
    const server = join(appDir, 'dist', 'server.js');
    if (!existsSync(server)) throw new Error('dist/server.js is missing: run pnpm build first (turbo does).');
    const env: Record<string, string | undefined> = {
      ...process.env,
      PORT: '0',
      QONTO_SANDBOX_URL: demo.url,
    };
    for (const name of Object.keys(env)) if (/^QONTO_(?!SANDBOX_URL)/.test(name)) delete env[name];
    child = spawn(process.execPath, [server], { cwd: appDir, env, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout!.setEncoding('utf8');
    const port = await new Promise<string>((resolve, reject) => {
      child!.stdout!.on('data', (chunk: string) => {
        output += chunk;
        const listening = /example-express-passport on http:\/\/localhost:(\d+)/.exec(output);
        if (listening) resolve(listening[1]!);
      });
      child!.once('exit', (code) => reject(new Error(`the server exited with ${code}:\n${output}`)));
    });
    expect(port).not.toBe('0');

    const origin = `http://localhost:${port}`;
    const browser = new TestBrowser();
    const start = await browser.fetch(`${origin}/auth/qonto`);
    expect(start.status).toBe(302);
    const user = demo.users.find((u) => u.organizations.length === 1)!;
    const callback = await completeAuthorization(start.headers.get('location')!, user);
    expect(callback.startsWith(`${origin}/auth/qonto/callback?`)).toBe(true);
    const page = await browser.follow(callback);
    expect(page.url).toBe(`${origin}/account`);
    expect(page.body).toContain(user.organizations[0]!.legalName);
    // Its own form is same-origin: the app's origin names the port it got, not 0.
    const refreshed = await browser.post(`${origin}/refresh`);
    expect(refreshed.status).toBe(303);
    expect(refreshed.headers.get('location')).toBe('/account');
  });
});
