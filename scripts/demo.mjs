#!/usr/bin/env node
// `pnpm demo`: builds what the demo needs through turbo, starts the Qonto sandbox emulator in demo mode (and the
// sample apps that exist, pointed at it), waits until each answers, prints what to open, and stops everything on
// Ctrl-C or SIGTERM.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const emulatorPort = Number(process.env.QONTO_SANDBOX_PORT ?? 4010);
const emulatorUrl = `http://127.0.0.1:${emulatorPort}`;

/** Each sample app joins the demo once its folder exists. */
const apps = [
  { name: 'example-next', dir: 'apps/next', port: 3000 },
  { name: 'example-express-passport', dir: 'apps/express-passport', port: 3001 },
  { name: 'example-nest', dir: 'apps/nest', port: 3002 },
].filter((app) => existsSync(join(root, app.dir, 'package.json')));

const children = [];
let stopping = false;

function portIsFree(port) {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function stopAll(code) {
  if (stopping) return;
  stopping = true;
  for (const child of children) {
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {}
  }
  setTimeout(() => {
    for (const child of children) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {}
    }
    process.exit(code);
  }, 1500).unref();
  Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null))).then(
    () => process.exit(code),
  );
}

function start(name, command, args, env) {
  const log = [];
  // detached: each child leads its own process group, so a stop reaches its grandchildren too.
  const child = spawn(command, args, { cwd: root, env: { ...process.env, ...env }, detached: true });
  const keep = (chunk) => {
    log.push(...chunk.toString().split('\n'));
    if (log.length > 40) log.splice(0, log.length - 40);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`\n${name} stopped unexpectedly (${signal ?? `exit code ${code}`}). The end of its log:\n`);
    console.error(log.join('\n'));
    stopAll(1);
  });
  children.push(child);
  return child;
}

async function waitUntilAnswering(url, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));

for (const [name, port, variable] of [
  ['the sandbox emulator', emulatorPort, 'QONTO_SANDBOX_PORT'],
  ...apps.map((a) => [a.name, a.port, `PORT for ${a.name}`]),
]) {
  if (!(await portIsFree(port))) {
    console.error(
      `Port ${port} is in use, so ${name} cannot start: stop what uses it, or choose another with ${variable}.`,
    );
    process.exit(1);
  }
}

const filters = ['--filter=@qonto-oauth/sandbox', ...apps.map((a) => `--filter=${a.name}`)];
const build = spawnSync('pnpm', ['exec', 'turbo', 'run', 'build', ...filters, '--output-logs=errors-only'], {
  cwd: root,
  stdio: 'inherit',
});
if (build.status !== 0) process.exit(build.status ?? 1);

start('the sandbox emulator', process.execPath, [
  join(root, 'packages/sandbox/dist/cli.js'),
  '--port',
  String(emulatorPort),
]);
for (const app of apps) {
  start(app.name, 'pnpm', ['--filter', app.name, 'start'], {
    PORT: String(app.port),
    QONTO_SANDBOX_URL: emulatorUrl,
  });
}

try {
  await Promise.all(
    [emulatorUrl, ...apps.map((a) => `http://localhost:${a.port}`)].map((u) => waitUntilAnswering(u)),
  );
} catch (error) {
  console.error(String(error.message));
  stopAll(1);
}

const { DEMO_STAGING_TOKEN, DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_USERS } = await import(
  join(root, 'packages/sandbox/dist/demo.js')
);
const rows = [
  ['Qonto sandbox emulator', emulatorUrl],
  ...apps.map((a) => [a.name, `http://localhost:${a.port}`]),
];
console.log('\nqonto-oauth demo is running (Ctrl-C stops it):\n');
for (const [what, url] of rows) console.log(`  ${what.padEnd(28)} ${url}`);
console.log('\nLog in as:');
for (const user of DEMO_USERS ?? []) {
  console.log(
    `  ${user.email.padEnd(28)} password ${user.password}  (${user.organizations.length} organization(s))`,
  );
}
console.log(`  SMS code: 123456\n`);
console.log("To point an app at Qonto's real sandbox instead, put in its .env:");
console.log(
  '  QONTO_ENV=sandbox\n  QONTO_CLIENT_ID=...\n  QONTO_CLIENT_SECRET=...\n  QONTO_STAGING_TOKEN=...',
);
console.log(
  `\n(The emulator's demo client is ${DEMO_CLIENT_ID} / ${DEMO_CLIENT_SECRET}, staging token ${DEMO_STAGING_TOKEN}: public demo values.)`,
);
