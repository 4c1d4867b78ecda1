import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, readFile, realpath, rm, symlink, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { completeAuthorization } from '@qonto-oauth/sandbox/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, '..');
const coreDir = join(packageDir, '..', 'core');
const rootDir = join(packageDir, '..', '..');

let work: string;
let sandbox: QontoSandbox;
let child: ChildProcess | undefined;

async function packInto(dir: string, from: string): Promise<string> {
  const before = new Set(await readdir(dir));
  await run('pnpm', ['pack', '--pack-destination', dir], { cwd: from });
  const name = (await readdir(dir)).find((f) => f.endsWith('.tgz') && !before.has(f));
  if (name === undefined) throw new Error(`pnpm pack wrote no tarball for ${from}`);
  return join(dir, name);
}

/** Unpacks a tarball where `npm install` would put it: offline, without resolving its dependencies. */
async function unpack(tarball: string, into: string): Promise<void> {
  await mkdir(into, { recursive: true });
  await run('tar', ['-xzf', tarball, '-C', into, '--strip-components=1']);
}

let tarballs: { core: string; passport: string };

beforeAll(async () => {
  // turbo builds both before this test (test dependsOn build, build dependsOn ^build); by hand, build them first.
  for (const dir of [coreDir, packageDir]) {
    if (!existsSync(join(dir, 'dist', 'index.cjs')))
      throw new Error(`${dir} is not built: run pnpm build first.`);
  }
  work = await mkdtemp(join(tmpdir(), 'qonto-passport-pack-'));
  tarballs = { core: await packInto(work, coreDir), passport: await packInto(work, packageDir) };
}, 120_000);

afterAll(async () => {
  if (work !== undefined) await rm(work, { recursive: true, force: true });
});

/** A project directory with the two tarballs unpacked in its node_modules, as `npm install` would place them. */
async function projectWithTarballs(name: string, packageJson: object): Promise<string> {
  const dir = join(work, name);
  await mkdir(dir);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, private: true, ...packageJson }));
  await unpack(tarballs.core, join(dir, 'node_modules', '@qonto-oauth', 'core'));
  await unpack(tarballs.passport, join(dir, 'node_modules', '@qonto-oauth', 'passport'));
  return dir;
}

describe('the packed tarball in a CommonJS Express app', () => {
  beforeAll(async () => {
    const app = await projectWithTarballs('app', { type: 'commonjs' });
    await cp(join(here, 'fixtures', 'cjs-app', 'server.js'), join(app, 'server.js'));
    sandbox = await startQontoSandbox();
  }, 120_000);

  afterAll(async () => {
    if (child?.pid !== undefined && child.exitCode === null) {
      child.kill();
      await once(child, 'exit');
    }
    await sandbox?.close();
  });

  it('require()s @qonto-oauth/passport and signs a user in through the emulator', async () => {
    const clientSecret = 'pack-secret';
    child = spawn(process.execPath, ['server.js'], {
      cwd: join(work, 'app'),
      env: {
        ...process.env,
        // Express, express-session, passport and passport-oauth2 come from the workspace: no network.
        NODE_PATH: join(packageDir, 'node_modules'),
        SANDBOX_URL: sandbox.url,
        STAGING_TOKEN: sandbox.stagingToken,
        CLIENT_ID: 'pack-client',
        CLIENT_SECRET: clientSecret,
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [line] = (await once(child.stdout!, 'data')) as [Buffer];
    const started = JSON.parse(line.toString()) as { origin: string; passport: string; core: string };
    expect(started.passport.startsWith(work)).toBe(true);
    expect(started.passport.endsWith('index.cjs')).toBe(true);
    expect(started.core.startsWith(work)).toBe(true);
    sandbox.addClient({
      clientId: 'pack-client',
      clientSecret,
      redirectUris: [`${started.origin}/auth/qonto/callback`],
    });

    let cookie = '';
    const get = async (url: string) => {
      const response = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
      const set = response.headers.getSetCookie()[0];
      if (set) cookie = set.split(';')[0]!;
      return response;
    };
    const start = await get(`${started.origin}/auth/qonto`);
    expect(start.status).toBe(302);
    const user = sandbox.users[1]!;
    const callback = await completeAuthorization(start.headers.get('location')!, {
      email: user.email,
      password: user.password,
    });
    const finish = await get(callback);
    expect(finish.headers.get('location')).toBe('/me');
    const me = await (await get(`${started.origin}/me`)).json();
    expect(me).toEqual({
      name: `${user.firstName} ${user.lastName}`,
      organization: user.organizations[0]!.legalName,
    });
  }, 60_000);
});

describe('the packed tarball in a strict TypeScript app (skipLibCheck: false)', () => {
  /** The README's TypeScript quick start: the code block under its "### TypeScript" heading. */
  async function readmeTypeScriptQuickStart(): Promise<string> {
    const readme = await readFile(join(packageDir, 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('\n### TypeScript\n'));
    const block = /```ts\n([\s\S]*?)```/.exec(section)?.[1];
    if (block === undefined) throw new Error('README.md has no ```ts block under "### TypeScript"');
    return block;
  }

  /** The types the README tells a TypeScript app to install, taken from this workspace (no network). */
  const README_TYPES = ['node', 'express', 'express-session', 'passport'];

  it("type-checks the README's quick start, CommonJS and ESM, with only the @types the README names", async () => {
    const app = await projectWithTarballs('ts-app', {});
    for (const name of README_TYPES) {
      const from = [
        join(packageDir, 'node_modules', '@types', name),
        join(rootDir, 'node_modules', '@types', name),
      ];
      const target = from.find((dir) => existsSync(dir));
      if (target === undefined) throw new Error(`@types/${name} is not installed in the workspace`);
      await mkdir(join(app, 'node_modules', '@types'), { recursive: true });
      await symlink(await realpath(target), join(app, 'node_modules', '@types', name));
    }
    const source = await readmeTypeScriptQuickStart();
    // The same file as CommonJS (our index.d.cts) and as ESM (our index.d.ts).
    await writeFile(join(app, 'server.cts'), source);
    await writeFile(join(app, 'server.mts'), source);
    await writeFile(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          skipLibCheck: false,
          module: 'node16',
          target: 'es2022',
          esModuleInterop: true,
          noEmit: true,
        },
        files: ['server.cts', 'server.mts'],
      }),
    );
    // No @types/passport-oauth2 anywhere this project can see: our declarations must not need it.
    expect(existsSync(join(app, 'node_modules', '@types', 'passport-oauth2'))).toBe(false);
    const tsc = createRequire(join(rootDir, 'package.json')).resolve('typescript/bin/tsc');
    const result = await run(process.execPath, [tsc, '-p', app]).then(
      () => ({ ok: true, output: '' }),
      (error: { stdout?: string }) => ({ ok: false, output: error.stdout ?? String(error) }),
    );
    expect(result.output).toBe('');
    expect(result.ok).toBe(true);
  }, 120_000);
});
