import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';

// The CLI is tested as users run it: the built bin (turbo builds before `test`).
const CLI = join(import.meta.dirname, '../dist/cli.js');
const children: ChildProcess[] = [];

beforeAll(() => {
  if (!existsSync(CLI))
    throw new Error(`${CLI} is missing: run \`pnpm --filter @qonto-oauth/sandbox build\` first.`);
});
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function run(args: string[]) {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr!.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const output = async (pattern: RegExp) => {
    while (!pattern.test(stdout)) {
      if (child.exitCode !== null) throw new Error(`the CLI exited (${child.exitCode}): ${stderr}${stdout}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return stdout;
  };
  return { child, exited, output, stdout: () => stdout, stderr: () => stderr };
}

const envValue = (out: string, name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(out)?.[1];

describe('qonto-sandbox CLI', () => {
  it('starts in demo mode, prints endpoints, users and a .env block, logs requests redacted, and stops on SIGTERM', async () => {
    const cli = run(['--port', '0']);
    const out = await cli.output(/Requests/);
    const url = envValue(out, 'QONTO_SANDBOX_URL')!;
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(out).toContain(`token          ${url}/oauth2/token`);
    expect(envValue(out, 'QONTO_CLIENT_ID')).toBe('qonto-oauth-demo');
    expect(envValue(out, 'QONTO_CLIENT_SECRET')).toBe('demo-secret');
    expect(envValue(out, 'QONTO_STAGING_TOKEN')).toBe('demo-staging-token');
    expect(out).toMatch(/@example\.com {2}password sandbox-\w+ {2}\(2 organization\(s\)\)/);

    const response = await fetch(`${url}/v2/organization?secret=abc`, {
      headers: { 'X-Qonto-Staging-Token': 'demo-staging-token', Authorization: 'Bearer ory_at_sensitive' },
    });
    expect(response.status).toBe(401);
    const log = await cli.output(/GET \/v2\/organization -> 401/);
    expect(log).not.toContain('secret=abc');
    expect(log).not.toContain('ory_at_sensitive');

    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cli.stdout()).toContain('SIGTERM: stopped.');
    await expect(fetch(url)).rejects.toThrow();
  });

  it('stops on SIGINT too', async () => {
    const cli = run(['--port', '0']);
    await cli.output(/Requests/);
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
  });

  it('says in one line that the port is in use, naming it and --port', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const cli = run(['--port', String(port)]);
      expect(await cli.exited).toBe(1);
      const lines = cli.stderr().trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`port ${port} is in use`);
      expect(lines[0]).toContain('--port');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('runs without demo values with --no-demo, production mode with --mode, options from --config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qonto-sandbox-cli-'));
    const config = join(dir, 'sandbox.json');
    writeFileSync(
      config,
      JSON.stringify({
        clients: [
          { clientId: 'from-config', clientSecret: 'cfg-secret', redirectUris: ['http://127.0.0.1:9/cb'] },
        ],
      }),
    );
    const cli = run(['--port', '0', '--no-demo', '--mode', 'production', '--config', config]);
    const out = await cli.output(/Requests/);
    expect(out).toContain('production mode');
    expect(envValue(out, 'QONTO_ENV')).toBe('production');
    expect(envValue(out, 'QONTO_CLIENT_ID')).toBe('from-config');
    expect(envValue(out, 'QONTO_STAGING_TOKEN')).toBeUndefined();
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);

    const random = run(['--port', '0', '--no-demo']);
    const randomOut = await random.output(/Requests/);
    expect(envValue(randomOut, 'QONTO_STAGING_TOKEN')).not.toBe('demo-staging-token');
    expect(envValue(randomOut, 'QONTO_CLIENT_ID')).toBe('qonto-sandbox-client');
    random.child.kill('SIGTERM');
    expect(await random.exited).toBe(0);
  });

  it('links its home page to the apps given with --demo-app, in order, over those of --config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qonto-sandbox-cli-'));
    const config = join(dir, 'sandbox.json');
    writeFileSync(config, JSON.stringify({ demoApps: [{ name: 'from-config', url: 'http://localhost:1' }] }));
    const cli = run([
      '--port',
      '0',
      '--config',
      config,
      '--demo-app',
      'example-next=http://localhost:43000',
      '--demo-app',
      'example-nest (NestJS)=http://localhost:43002/?a=b',
    ]);
    const url = envValue(await cli.output(/Requests/), 'QONTO_SANDBOX_URL')!;
    const html = await (await fetch(`${url}/`)).text();
    const next = html.indexOf('<a href="http://localhost:43000">http://localhost:43000</a> example-next<');
    const nest = html.indexOf(
      '<a href="http://localhost:43002/?a=b">http://localhost:43002/?a=b</a> example-nest (NestJS)<',
    );
    expect(next).toBeGreaterThan(-1);
    expect(nest).toBeGreaterThan(next);
    expect(html).not.toContain('from-config');
    expect(html).not.toContain('href="http://localhost:3000"');
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it('refuses a --config the emulator cannot start with, in one line naming the option', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qonto-sandbox-cli-'));
    const cases: [unknown, number, RegExp][] = [
      [
        { clients: [{ clientId: 'a', redirectUris: ['http://127.0.0.1/cb'] }] },
        1,
        /Sandbox client "a" needs a non-empty clientSecret\./,
      ],
      [
        { clients: [{ clientId: 'a', clientSecret: 's' }] },
        1,
        /Sandbox client "a" needs at least one redirect URI in redirectUris\./,
      ],
      [{ startTime: '2025-01-01' }, 1, /startTime must be a time in epoch milliseconds/],
      [{ port: 'http' }, 2, /port in --config \S+ must be a number from 0 to 65535, not http\./],
      [null, 2, /must hold a JSON object of startQontoSandbox options/],
    ];
    for (const [config, code, message] of cases) {
      const file = join(dir, 'sandbox.json');
      writeFileSync(file, JSON.stringify(config));
      // --port would win over the config's port.
      const port = config !== null && typeof config === 'object' && 'port' in config ? [] : ['--port', '0'];
      const cli = run([...port, '--no-demo', '--config', file]);
      expect(await cli.exited).toBe(code);
      expect(cli.stderr()).toMatch(/^qonto-sandbox: [^\n]+\n$/);
      expect(cli.stderr()).toMatch(message);
    }
  });

  it('rejects an unknown flag or a bad value with usage and exit code 2', async () => {
    for (const args of [
      ['--bogus'],
      ['--gate', 'maybe'],
      ['--port', 'x'],
      ['--demo-app', 'http://localhost:3000'],
      ['--demo-app', 'app=localhost:3000'],
    ]) {
      const cli = run(args);
      expect(await cli.exited).toBe(2);
      expect(cli.stderr()).toMatch(/^qonto-sandbox: /);
      if (args[0] === '--demo-app') expect(cli.stderr()).toContain('--demo-app takes NAME=URL');
    }
  });
});
