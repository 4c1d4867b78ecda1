import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QontoConfigError } from '@qonto-oauth/core';
import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { DEMO_CLIENT_ID, DEMO_SANDBOX_PORT, DEMO_STAGING_TOKEN } from '@qonto-oauth/sandbox/demo';
import { completeAuthorization } from '@qonto-oauth/sandbox/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appConfigFromEnv } from '../src/config.js';
import { Browser } from './helpers/browser.js';

const appDir = fileURLToPath(new URL('..', import.meta.url));

let demo: QontoSandbox;
beforeAll(async () => {
  demo = await startQontoSandbox({ demo: true });
});
afterAll(() => demo.close());

describe('configuration from the environment', () => {
  it("uses the emulator's demo client at QONTO_SANDBOX_URL when there is no QONTO_CLIENT_ID", async () => {
    const config = await appConfigFromEnv({ QONTO_SANDBOX_URL: demo.url, PORT: '3107' });
    expect(config.emulator).toBeUndefined();
    expect(config.port).toBe(3107);
    expect(config.qonto).toMatchObject({
      environment: demo.endpoints,
      clientId: DEMO_CLIENT_ID,
      stagingToken: DEMO_STAGING_TOKEN,
      redirectUri: 'http://localhost:3107/auth/qonto/callback',
    });
  });

  it("takes QONTO_REDIRECT_URI with the emulator's demo client too (behind a proxy, several instances)", async () => {
    const config = await appConfigFromEnv({
      QONTO_SANDBOX_URL: demo.url,
      PORT: '3107',
      QONTO_REDIRECT_URI: 'http://127.0.0.1:3107/auth/qonto/callback',
    });
    expect(config.qonto.redirectUri).toBe('http://127.0.0.1:3107/auth/qonto/callback');
  });

  it('reads QONTO_* through qontoConfigFromEnv, on port 3002 by default, and logs no secret', async () => {
    const config = await appConfigFromEnv({
      QONTO_ENV: 'production',
      QONTO_CLIENT_ID: 'prod-id',
      QONTO_CLIENT_SECRET: 'prod-secret-value',
      SESSION_SECRET: 'session-secret-value',
    });
    expect(config.port).toBe(3002);
    expect(config.qonto).toMatchObject({
      environment: 'production',
      clientId: 'prod-id',
      redirectUri: 'http://localhost:3002/auth/qonto/callback',
    });
    expect(config.sessionSecret).toBe('session-secret-value');
    expect(config.notes.join('\n')).not.toMatch(/prod-secret-value|session-secret-value/);
  });

  it("throws core's QontoConfigError naming the missing variable, and rejects a bad PORT", async () => {
    const missing = appConfigFromEnv({ QONTO_CLIENT_ID: 'sandbox-id', QONTO_CLIENT_SECRET: 's' });
    await expect(missing).rejects.toBeInstanceOf(QontoConfigError);
    await expect(missing).rejects.toThrow(/QONTO_STAGING_TOKEN/);
    await expect(appConfigFromEnv({ PORT: 'http' })).rejects.toThrow(/PORT must be a port number/);
  });

  it(`starts its own emulator in demo mode, on another port when ${DEMO_SANDBOX_PORT} is taken`, async () => {
    // Whether this test or something else holds 4010, it is taken while the app starts its emulator.
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => {
      blocker.once('error', () => resolve());
      blocker.listen(DEMO_SANDBOX_PORT, '127.0.0.1', () => resolve());
    });
    const config = await appConfigFromEnv({});
    try {
      expect(config.emulator).toBeDefined();
      expect(new URL(config.emulator!.url).port).not.toBe(String(DEMO_SANDBOX_PORT));
      expect(config.qonto.clientId).toBe(DEMO_CLIENT_ID);
      expect(config.notes.join('\n')).toContain(config.emulator!.url);
    } finally {
      await config.emulator?.close();
      blocker.close();
    }
  });
});

/** Starts the built app with `env` (no other QONTO_* variable) in `cwd`; it must exit: its code and its output. */
async function failedStart(
  env: Record<string, string>,
  cwd = appDir,
): Promise<{ code: number | null; output: string }> {
  const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
  if (!existsSync(main))
    throw new Error('dist/main.js is missing: run `pnpm --filter example-nest build` first.');
  const base: Record<string, string | undefined> = { ...process.env, PORT: '0', NO_COLOR: '1' };
  for (const name of Object.keys(base)) if (name.startsWith('QONTO_')) delete base[name];
  const child = spawn(process.execPath, [main], {
    cwd,
    env: { ...base, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  return { code, output };
}

describe('the built app (pnpm start) with a bad configuration', () => {
  it('prints the missing variable and the fix once, with no stack, and exits with 1', async () => {
    const { code, output } = await failedStart({
      QONTO_CLIENT_ID: 'sandbox-id',
      QONTO_CLIENT_SECRET: 's3cret-value',
    });
    expect(code).toBe(1);
    expect(output.match(/QONTO_STAGING_TOKEN is missing/g)).toHaveLength(1);
    expect(output).toContain('Developer Portal > your app > Sandbox credentials');
    expect(output).not.toMatch(/^\s+at /m);
    expect(output).not.toContain('ExceptionHandler');
    expect(output).not.toContain('s3cret-value');
  });

  it('still reads a .env file in its working directory (the environment wins over it)', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'example-nest-env-'));
    try {
      writeFileSync(join(cwd, '.env'), 'QONTO_CLIENT_ID=from-dotenv\nQONTO_ENV=production\n');
      const { code, output } = await failedStart({ QONTO_ENV: 'prod' }, cwd);
      expect(code).toBe(1);
      expect(output.match(/QONTO_ENV must be "sandbox" or "production", not "prod"/g)).toHaveLength(1);
      expect(output).toContain('QONTO_CLIENT_SECRET is missing');
      expect(output).not.toMatch(/^\s+at /m);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});

describe('the built app (pnpm start)', () => {
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (child?.pid !== undefined && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('listens on PORT and signs a demo user in through the emulator at QONTO_SANDBOX_URL', async () => {
    const main = fileURLToPath(new URL('../dist/main.js', import.meta.url));
    if (!existsSync(main))
      throw new Error('dist/main.js is missing: run `pnpm --filter example-nest build` first.');
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));

    const env: Record<string, string | undefined> = {
      ...process.env,
      PORT: String(port),
      QONTO_SANDBOX_URL: demo.url,
    };
    for (const name of Object.keys(env)) if (/^QONTO_(?!SANDBOX_URL)/.test(name)) delete env[name];
    child = spawn(process.execPath, [main], { cwd: appDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const read = (chunk: Buffer) => {
        output += chunk.toString('utf8');
        if (output.includes(`example-nest on http://localhost:${port}`)) resolve();
      };
      child!.stdout!.on('data', read);
      child!.stderr!.on('data', read);
      child!.once('exit', (code) => reject(new Error(`the app exited with ${code}:\n${output}`)));
    });
    expect(output).toContain(`the emulator's demo client at ${demo.url}`);

    const origin = `http://localhost:${port}`;
    const browser = new Browser();
    const start = await browser.request(`${origin}/auth/qonto`);
    expect(start.status).toBe(302);
    const user = demo.users.find((u) => u.organizations.length === 1)!;
    const page = await browser.open(await completeAuthorization(start.headers.get('location')!, user));
    expect(page.url).toBe(`${origin}/me`);
    expect(page.html).toContain(user.organizations[0]!.legalName);
  });
});
