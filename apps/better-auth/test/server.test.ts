import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { QontoConfigError } from '@qonto-oauth/core';
import { DEMO_CLIENT_ID, DEMO_USERS } from '@qonto-oauth/sandbox/demo';
import { afterAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/app.js';
import { TestBrowser } from './helpers/app-harness.js';

const appDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const folder = mkdtempSync(join(tmpdir(), 'example-better-auth-server-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

/** The environment of the spawned server: this one's, without what would point it at a real Qonto app. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !/^(QONTO_|BETTER_AUTH_|VITEST|NODE_ENV$|PORT$)/.test(key)),
  );
  return { ...env, ...extra };
}

describe('the built server, started as `pnpm start` does', () => {
  it('without Qonto credentials, starts the emulator in its process and connects through its demo client', async () => {
    const child = spawn(process.execPath, ['dist/server.js'], {
      cwd: appDir,
      env: cleanEnv({ PORT: '0', DATABASE_FILE: join(folder, 'demo.db') }),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    try {
      const listening = /example-better-auth on (http:\/\/localhost:\d+)/;
      while (!listening.test(output)) {
        if (child.exitCode !== null) throw new Error(`the server exited (${child.exitCode}):\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const origin = (output.match(listening) as RegExpMatchArray)[1] as string;
      const emulator = output.match(/emulator \(demo mode\) on (http:\/\/127\.0\.0\.1:\d+)/)?.[1];
      expect(emulator, output).toBeDefined();
      expect(output).toContain(`Database: SQLite file ${join(folder, 'demo.db')}`);

      const browser = new TestBrowser(origin);
      const start = await browser.post('/connect');
      expect(start.status, await start.clone().text()).toBe(303);
      const authorize = new URL(start.headers.get('location') ?? '');
      expect(authorize.origin).toBe(emulator);
      expect(authorize.searchParams.get('client_id')).toBe(DEMO_CLIENT_ID);
      expect(authorize.searchParams.get('redirect_uri')).toBe(`${origin}/api/auth/callback/qonto`);

      const jules = DEMO_USERS.find((u) => u.organizations.length === 1)!;
      const page = await browser.connect(jules);
      expect(page.url.pathname).toBe('/account');
      expect(page.body).toContain(jules.organizations[0]!.legalName);
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    }
    expect(child.exitCode).toBe(0);
  });

  it("refuses to start on an incomplete Qonto configuration, with core's error naming what is missing", async () => {
    const started = createApp({
      baseURL: 'http://localhost:3003',
      secret: 'a-test-secret-of-at-least-32-characters!!',
      databaseFile: ':memory:',
      qonto: { env: { QONTO_CLIENT_ID: 'my-app' } },
    });
    await expect(started).rejects.toBeInstanceOf(QontoConfigError);
    await expect(started).rejects.toThrow(/QONTO_CLIENT_SECRET/);
  });
});
