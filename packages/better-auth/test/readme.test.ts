import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { completeAuthorization, createCookieJarFetch } from '@qonto-oauth/sandbox/testing';
import { afterAll, beforeAll, expect, it } from 'vitest';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
let sandbox: QontoSandbox;
let work: string | undefined;
let child: ChildProcess | undefined;

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  await once(server, 'close');
  return port;
}

beforeAll(async () => {
  sandbox = await startQontoSandbox();
});
afterAll(async () => {
  if (child?.exitCode === null) {
    child.kill();
    await once(child, 'exit');
  }
  await sandbox?.close();
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

it("runs the README's quick start as pasted: sign-in, then the organization from getQontoApi", async () => {
  if (!existsSync(join(packageDir, 'dist', 'index.js')))
    throw new Error('Build the package first: pnpm build');
  const readme = await readFile(join(packageDir, 'README.md'), 'utf8');
  const code = /```js\n(\/\/ server\.mjs\n[\s\S]*?)```/.exec(readme)?.[1];
  expect(code).toBeDefined();
  // Inside the package directory, so `@qonto-oauth/better-auth` resolves to its build by self-reference and
  // `better-auth` to its devDependency, as they would from an app's node_modules.
  work = await mkdtemp(join(packageDir, 'test', '.readme-'));
  await writeFile(join(work, 'server.mjs'), code!);
  const port = await freePort();
  sandbox.addClient({
    clientId: 'readme-client',
    clientSecret: 'readme-secret',
    redirectUris: [`http://localhost:${port}/api/auth/callback/qonto`],
  });
  child = spawn(process.execPath, ['server.mjs'], {
    cwd: work,
    env: {
      PATH: process.env.PATH,
      PORT: String(port),
      BETTER_AUTH_SECRET: 'readme-test-secret-of-at-least-32-chars',
      QONTO_SANDBOX_URL: sandbox.url,
      QONTO_CLIENT_ID: 'readme-client',
      QONTO_CLIENT_SECRET: 'readme-secret',
      QONTO_STAGING_TOKEN: sandbox.stagingToken,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const app = `http://localhost:${port}`;
  const browse = createCookieJarFetch();
  let home: Response | undefined;
  for (let attempt = 0; home === undefined; attempt += 1) {
    home = await browse(app).catch(async (error: unknown) => {
      if (attempt > 100 || child?.exitCode !== null) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
      return undefined;
    });
  }
  expect(await home.text()).toContain('Connect with Qonto');

  // What the button's onclick does.
  const start = await browse(`${app}/api/auth/sign-in/social`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: app },
    body: JSON.stringify({ provider: 'qonto', callbackURL: '/' }),
  });
  const { url } = (await start.json()) as { url: string };
  const callback = await browse(await completeAuthorization(url, sandbox.users[1]!));
  expect(callback.headers.get('location')).toBe('/');

  const page = await (await browse(app)).text();
  const person = sandbox.users[1]!;
  expect(page).toMatch(
    new RegExp(
      `^Hello ${person.firstName} ${person.lastName}: ${person.organizations[0]!.legalName}, \\d+ accounts$`,
    ),
  );
});
