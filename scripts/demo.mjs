#!/usr/bin/env node
// `pnpm demo`: builds what the demo needs through turbo, starts the Qonto sandbox emulator in demo mode and the
// sample apps pointed at it, waits until each answers, prints what to open, and stops everything on Ctrl-C or
// SIGTERM. Ports: QONTO_SANDBOX_PORT (4010), DEMO_NEXT_PORT (3000), DEMO_EXPRESS_PORT (3001), DEMO_NEST_PORT (3002),
// DEMO_BETTER_AUTH_PORT (3003).
// Flags: --no-build (use the last build), --logs (stream every server's output, prefixed with its name).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { stopGroups } from './process-groups.mjs';

const startedAt = performance.now();
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: flags } = parseArgs({
  options: {
    'no-build': { type: 'boolean' },
    logs: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});
if (flags.help) {
  console.log(`Usage: pnpm demo [--no-build] [--logs]

Starts the Qonto sandbox emulator (demo mode) and the four sample apps pointed at it.
Ports, each overridable: QONTO_SANDBOX_PORT=4010 DEMO_NEXT_PORT=3000 DEMO_EXPRESS_PORT=3001 DEMO_NEST_PORT=3002
  DEMO_BETTER_AUTH_PORT=3003
  --no-build  skip the turbo build (use what the last build left in dist/ and .next/)
  --logs      stream every server's output, prefixed with its name (otherwise kept for crash reports)`);
  process.exit(0);
}

/** A port from an environment variable, or a one-line error naming the variable. */
function portFrom(variable, fallback) {
  const raw = process.env[variable];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d{1,5}$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) {
    console.error(`${variable} must be a port number from 1 to 65535, not ${JSON.stringify(raw)}.`);
    process.exit(1);
  }
  return Number(raw);
}

const emulator = { name: 'Qonto sandbox emulator', variable: 'QONTO_SANDBOX_PORT' };
emulator.port = portFrom(emulator.variable, 4010);
emulator.url = `http://127.0.0.1:${emulator.port}`;

/** The sample apps, in the order of design.md's ports table; each joins the demo once its folder exists. */
const apps = [
  {
    name: 'example-next',
    dir: 'apps/next',
    variable: 'DEMO_NEXT_PORT',
    port: 3000,
    stack: 'Next.js + Auth.js v5',
    envFile: 'apps/next/.env.local',
    callbackPath: '/api/auth/callback/qonto',
  },
  {
    name: 'example-express-passport',
    dir: 'apps/express-passport',
    variable: 'DEMO_EXPRESS_PORT',
    port: 3001,
    stack: 'Express 5 + Passport',
    envFile: 'environment only',
    callbackPath: '/auth/qonto/callback',
  },
  {
    name: 'example-nest',
    dir: 'apps/nest',
    variable: 'DEMO_NEST_PORT',
    port: 3002,
    stack: 'NestJS + QontoModule',
    envFile: 'apps/nest/.env',
    callbackPath: '/auth/qonto/callback',
  },
  {
    name: 'example-better-auth',
    dir: 'apps/better-auth',
    variable: 'DEMO_BETTER_AUTH_PORT',
    port: 3003,
    stack: 'Hono + Better Auth + SQLite',
    envFile: 'environment only',
    callbackPath: '/api/auth/callback/qonto',
  },
]
  .filter((app) => existsSync(join(root, app.dir, 'package.json')))
  .map((app) => {
    const port = portFrom(app.variable, app.port);
    return { ...app, port, url: `http://localhost:${port}` };
  });

/** Every process group started here (a pnpm wrapper, the server it forks, `next start`'s own child). */
const groups = [];
let stopping = false;

/**
 * Stops every group (SIGTERM, then SIGKILL for what is left after 1.5 s) and exits once no process of any group is
 * alive, so every port is closed within 2 seconds of Ctrl-C.
 */
function stopAll(code) {
  if (stopping) return;
  stopping = true;
  stopGroups(
    groups.map((g) => g.pid),
    1500,
  ).then(() => process.exit(code));
}

/** Starts `command` as the leader of its own process group, keeping the end of its output for a crash report. */
function start(name, command, args, env = {}) {
  const log = [];
  const child = spawn(command, args, {
    cwd: root,
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const keep = (chunk) => {
    const lines = chunk.toString().split('\n').filter(Boolean);
    if (flags.logs) for (const line of lines) console.log(`[${name}] ${line}`);
    log.push(...lines);
    if (log.length > 30) log.splice(0, log.length - 30);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.on('exit', (code, signal) => {
    if (stopping) return;
    console.error(`\n${name} stopped unexpectedly (${signal ?? `exit code ${code}`}). The end of its log:\n`);
    console.error(log.map((line) => `  ${line}`).join('\n'));
    console.error('\nStopping the demo.');
    stopAll(1);
  });
  groups.push({ name, pid: child.pid, child });
  return child;
}

/** Whether nothing listens on `port`, on IPv4 loopback and on every interface (where the apps listen). */
async function portIsFree(port) {
  const tryListen = (host) =>
    new Promise((resolve) => {
      const server = createServer();
      server.once('error', (error) => resolve(error.code !== 'EADDRINUSE'));
      server.listen(port, host, () => server.close(() => resolve(true)));
    });
  return (await tryListen('127.0.0.1')) && (await tryListen(undefined));
}

async function waitUntilAnswering(url, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && !stopping) {
    try {
      await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  if (!stopping) throw new Error(`${url} did not answer within ${timeoutMs / 1000} s.`);
}

process.on('SIGINT', () => stopAll(0));
process.on('SIGTERM', () => stopAll(0));
// pnpm does not pass a SIGTERM on to the script it runs: it exits, and the demo would keep every port. A demo whose
// launcher is gone stops too.
const launcher = process.ppid;
setInterval(() => {
  if (process.ppid !== launcher) stopAll(0);
}, 250).unref();

for (const server of [emulator, ...apps]) {
  if (!(await portIsFree(server.port))) {
    console.error(
      `Port ${server.port} is in use, so ${server.name} cannot start: stop what uses it, or choose another port, e.g. ${server.variable}=${server.port + 100} pnpm demo.`,
    );
    process.exit(1);
  }
}

if (!flags['no-build']) {
  console.log('Building the emulator and the sample apps (turbo; cached after the first time)...');
  const filters = ['--filter=@qonto-oauth/sandbox', ...apps.map((a) => `--filter=${a.name}`)];
  // Its own process group like the servers, so Ctrl-C or SIGTERM during the build stops turbo and its tasks too.
  const build = spawn('pnpm', ['exec', 'turbo', 'run', 'build', ...filters, '--output-logs=errors-only'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
    detached: true,
  });
  groups.push({ name: 'the build', pid: build.pid, child: build });
  const [code] = await new Promise((resolve) => build.once('exit', (...result) => resolve(result)));
  if (stopping) await new Promise(() => {});
  groups.pop();
  if (code !== 0) {
    console.error('The build failed (above); nothing was started.');
    process.exit(code ?? 1);
  }
}

start(emulator.name, process.execPath, [
  join(root, 'packages/sandbox/dist/cli.js'),
  '--port',
  String(emulator.port),
  // The emulator's home page links to each app where it really listens, whatever DEMO_*_PORT said.
  ...apps.flatMap((app) => ['--demo-app', `${app.name} (${app.stack})=${app.url}`]),
]);
for (const app of apps) {
  start(app.name, 'pnpm', ['--filter', app.name, 'start'], {
    PORT: String(app.port),
    QONTO_SANDBOX_URL: emulator.url,
  });
}

try {
  await Promise.all([emulator, ...apps].map((server) => waitUntilAnswering(server.url)));
} catch (error) {
  console.error(`${error.message} Stopping the demo; run it with --logs to see every server's output.`);
  stopAll(1);
}
if (stopping) await new Promise(() => {});

const { DEMO_USERS, SANDBOX_SMS_CODE } = await import(
  pathToFileURL(join(root, 'packages/sandbox/dist/demo.js')).href
);
const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
const column = Math.max(...[emulator, ...apps].map((s) => s.name.length)) + 2;
const lines = [
  '',
  `qonto-oauth demo: ${1 + apps.length} servers answer (${seconds} s). Open an app and click "Connect with Qonto".`,
  '',
  ...[emulator, ...apps].map(
    (s) =>
      `  ${s.name.padEnd(column)}${s.url.padEnd(24)}${s.stack ? ` ${s.stack}` : ' OAuth pages, Business API'}`,
  ),
  ...(apps.some((a) => a.name === 'example-express-passport')
    ? [
        '',
        'example-express-passport is also a product: Sign in as alice / alice-demo (or bob / bob-demo), connect',
        `organizations in Settings, and revoke one at ${emulator.url}/connected-apps to see the webhook arrive.`,
      ]
    : []),
  '',
  "Log in on the emulator's pages as:",
  ...DEMO_USERS.map(
    (u) =>
      `  ${u.email.padEnd(30)} password ${u.password.padEnd(14)} ${u.organizations.map((o) => o.legalName).join(', ')}`,
  ),
  `  SMS code: ${SANDBOX_SMS_CODE}`,
  '',
  "Qonto's real sandbox instead of the emulator: copy your app's client id, client secret and staging token from",
  "the Developer Portal (sandbox side), register the app's callback there, and start that app alone",
  '(pnpm --filter <app> start) with these variables, in its .env file or its environment:',
  '  QONTO_ENV=sandbox  QONTO_CLIENT_ID=...  QONTO_CLIENT_SECRET=...  QONTO_STAGING_TOKEN=...',
  ...apps.map((a) => `  ${a.name.padEnd(column)}${a.envFile.padEnd(22)}callback ${a.url}${a.callbackPath}`),
  'Then log in to the sandbox web app (https://sandbox.staging.qonto.co/devportal) in that browser first.',
  '',
  'Ctrl-C stops every server.',
];
console.log(lines.join('\n'));
