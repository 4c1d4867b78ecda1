#!/usr/bin/env node
// The consumer matrix (README.md): packs the published packages, installs them with plain npm into each consumer
// of matrix.mjs, builds it, runs its own tests, starts it under each of its runtimes and drives "Connect with
// Qonto" against the emulator over HTTP.
//
//   node consumers/run.mjs [NAME...]           every consumer, or those named
//   node consumers/run.mjs --update [NAME...]  re-resolve their lockfiles (and the runtimes') from package.json
//   --no-build                                 use packages/*/dist as it is (turbo builds it otherwise)
//   --jobs N                                   consumers at a time (2)
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { freePort, startApp } from './lib/app.mjs';
import { run } from './lib/exec.mjs';
import { packPublishedPackages, staleLockRecords, withoutLocalIntegrity } from './lib/packs.mjs';
import { ROOT } from './lib/paths.mjs';
import { prepareRuntime } from './lib/runtimes.mjs';
import { CONSUMERS } from './matrix.mjs';

const root = fileURLToPath(ROOT);
const here = fileURLToPath(new URL('.', import.meta.url));
const packsDir = join(here, '.packs');
const runtimesDir = join(here, 'runtimes');

const { values: options, positionals: names } = parseArgs({
  options: {
    update: { type: 'boolean', default: false },
    build: { type: 'boolean', default: true },
    jobs: { type: 'string', default: '2' },
  },
  allowNegative: true,
  allowPositionals: true,
});
const unknown = names.filter((name) => !CONSUMERS.some(({ dir }) => dir === name));
if (unknown.length > 0) {
  console.error(
    `No consumer ${unknown.join(', ')} in consumers/matrix.mjs: ${CONSUMERS.map(({ dir }) => dir).join(', ')}`,
  );
  process.exit(2);
}
options.jobs = Math.max(1, Number(options.jobs) || 1);
const selected = names.length === 0 ? CONSUMERS : CONSUMERS.filter(({ dir }) => names.includes(dir));

// What pnpm puts in a script's environment would steer the npm run inside each consumer: leave it out.
const env = Object.fromEntries(
  Object.entries(process.env).filter(
    ([key]) =>
      !/^(npm_(command|lifecycle_|package_|execpath|node_execpath|config_user_agent|config_verify_deps)|pnpm_|PNPM_)/i.test(
        key,
      ),
  ),
);
Object.assign(env, {
  npm_config_audit: 'false',
  npm_config_fund: 'false',
  npm_config_update_notifier: 'false',
  // npm's own cache (~/.npm unless npm_config_cache says otherwise), shared by every consumer; the registry is
  // asked only for what it lacks.
  npm_config_prefer_offline: 'true',
  NEXT_TELEMETRY_DISABLED: '1',
});

const started = Date.now();
const seconds = (since) => `${((Date.now() - since) / 1000).toFixed(1)} s`;
const log = (line) => console.log(`consumers: ${line}`);

if (options.build) {
  const since = Date.now();
  await run('pnpm', ['turbo', 'run', 'build', '--filter=./packages/*', '--output-logs=errors-only'], {
    cwd: root,
    env,
    label: 'building the packages',
  });
  log(`packages built (${seconds(since)})`);
}
const packing = Date.now();
const manifests = await packPublishedPackages(root, packsDir);
log(`packed ${[...manifests.keys()].join(', ')} into consumers/.packs (${seconds(packing)})`);

const npm = {
  /** `npm ci` from the lockfile, or with --update a fresh `npm install` that rewrites it. */
  async install(dir) {
    const lockFile = join(dir, 'package-lock.json');
    const relative = dir.slice(here.length);
    if (options.update) {
      await rm(join(dir, 'node_modules'), { recursive: true, force: true });
      await rm(lockFile, { force: true });
      await run('npm', ['install'], { cwd: dir, env, label: `npm install (${relative})` });
      writeFileSync(lockFile, withoutLocalIntegrity(lockFile));
      return;
    }
    if (!existsSync(lockFile)) {
      throw new Error(
        `consumers/${relative} has no package-lock.json: run \`pnpm consumers:update ${relative}\``,
      );
    }
    const stale = staleLockRecords(lockFile, manifests);
    if (stale.length > 0) {
      throw new Error(
        `consumers/${relative}/package-lock.json no longer matches the packed packages (${stale.join('; ')}): run \`pnpm consumers:update ${relative}\` and commit the lockfile`,
      );
    }
    await run('npm', ['ci'], { cwd: dir, env, label: `npm ci (${relative})` });
  },
};

const { startQontoSandbox } = await import(new URL('packages/sandbox/dist/index.js', ROOT).href);
const { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET } = await import(
  new URL('packages/sandbox/dist/demo.js', ROOT).href
);
const { driveFlows } = await import('./lib/drive.mjs');

/** @type {{ name: string, ok: boolean, time: string }[]} */
const results = [];
/**
 * Runs one step of the matrix and reports it; a failed step prints why and fails the run, never the steps after.
 * @param {string} name
 * @param {() => Promise<string | void>} body
 */
async function step(name, body) {
  const since = Date.now();
  try {
    const detail = await body();
    results.push({ name, ok: true, time: seconds(since) });
    log(`ok   ${name}${detail ? ` ${detail}` : ''} (${seconds(since)})`);
    return true;
  } catch (error) {
    results.push({ name, ok: false, time: seconds(since) });
    log(`FAIL ${name} (${seconds(since)})\n${error?.message ?? error}\n`);
    return false;
  }
}

// The runtimes install (mostly network and disk) while the first consumers install and build.
const runtimeNames = [...new Set(selected.flatMap(({ runtimes: names }) => names))];
/** @type {Map<string, Promise<import('./lib/runtimes.mjs').RuntimeHandle | undefined>>} */
const runtimes = new Map(
  runtimeNames.map((name) => [
    name,
    (async () => {
      let handle;
      const ok = await step(`runtime ${name}`, async () => {
        handle = await prepareRuntime(name, runtimesDir, npm);
        return handle.version;
      });
      return ok ? handle : undefined;
    })(),
  ]),
);

/** @param {import('./matrix.mjs').Consumer} consumer */
async function runConsumer(consumer) {
  const dir = join(here, consumer.dir);
  if (!(await step(`${consumer.dir}: npm install`, () => npm.install(dir)))) return;
  const scripts = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts ?? {};
  const npmRun = (/** @type {string[]} */ args) => async () => {
    await run('npm', args, { cwd: dir, env });
  };
  if (scripts.build && !(await step(`${consumer.dir}: build`, npmRun(['run', 'build'])))) return;
  if (scripts.test) await step(`${consumer.dir}: test`, npmRun(['test']));
  for (const name of consumer.runtimes) {
    const handle = await runtimes.get(name);
    if (handle === undefined) {
      results.push({ name: `${consumer.dir}: flow on ${name}`, ok: false, time: '0 s' });
      continue;
    }
    await step(`${consumer.dir}: flow on ${name}`, () => driveConsumer(consumer, dir, handle));
  }
}

/**
 * @param {import('./matrix.mjs').Consumer} consumer
 * @param {string} dir
 * @param {import('./lib/runtimes.mjs').RuntimeHandle} handle
 */
async function driveConsumer(consumer, dir, handle) {
  const sandbox = await startQontoSandbox({ demo: true, port: 0 });
  const port = await freePort();
  // localhost, as in the READMEs: Next.js reports its own host as localhost, and Auth.js builds its redirect URI
  // from that, so a browser on 127.0.0.1 would lose its cookies at the callback.
  const base = `http://localhost:${port}`;
  const secret = randomBytes(32).toString('base64url');
  let app;
  try {
    app = await startApp(handle.command(dir), {
      cwd: dir,
      url: `${base}/`,
      env: {
        ...env,
        ...handle.env,
        PORT: String(port),
        APP_URL: base,
        QONTO_SANDBOX_URL: sandbox.url,
        QONTO_CLIENT_ID: DEMO_CLIENT_ID,
        QONTO_CLIENT_SECRET: DEMO_CLIENT_SECRET,
        QONTO_STAGING_TOKEN: sandbox.stagingToken,
        NEXTAUTH_URL: base,
        NEXTAUTH_SECRET: secret,
        AUTH_SECRET: secret,
        AUTH_TRUST_HOST: 'true',
      },
    });
    await driveFlows(consumer, { base, sandbox });
    return handle.version;
  } catch (error) {
    if (app) error.message += `\n--- the app's output ---\n${app.log().slice(-4000)}`;
    throw error;
  } finally {
    await app?.stop();
    await sandbox.close();
  }
}

if (options.update) {
  for (const consumer of selected)
    await step(`${consumer.dir}: npm install`, () => npm.install(join(here, consumer.dir)));
} else {
  // Two consumers at a time: one's install waits on the network and the disk while the other builds.
  const queue = [...selected];
  await Promise.all(
    Array.from({ length: options.jobs }, async () => {
      for (let consumer = queue.shift(); consumer; consumer = queue.shift()) await runConsumer(consumer);
    }),
  );
}
await Promise.all(runtimes.values());

const failed = results.filter(({ ok }) => !ok);
log(`${options.update ? 'updated' : 'ran'} ${selected.length} consumers in ${seconds(started)}`);
console.log(`consumers: ${results.length - failed.length} passed, ${failed.length} failed`);
process.exitCode = failed.length > 0 ? 1 : 0;
