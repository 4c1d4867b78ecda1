import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** What each consumer prints: the same checks through `require` and `import`. */
const checks = (load: string) => `
${load}
const client = new core.QontoOAuthClient({
  environment: 'production',
  clientId: 'my-client',
  clientSecret: 'my-secret',
  redirectUri: 'https://app.example/callback',
});
const api = new core.QontoApiClient({ environment: 'production', tokens: 'access-token' });
let configError;
try {
  new core.QontoApiClient({ environment: 'sandbox', tokens: 'access-token' });
} catch (error) {
  configError = error;
}
Promise.all([client.createAuthorizationRequest({ state: 'fixed-state' }), CROSS]).then(([request, crossBuild]) => {
  const url = new URL(request.url);
  console.log(JSON.stringify({
    authorizeUrl: url.origin + url.pathname,
    clientId: url.searchParams.get('client_id'),
    state: url.searchParams.get('state'),
    hasApi: typeof api.getOrganization === 'function',
    isQontoError: core.isQontoError(configError),
    code: configError && configError.code,
    plainErrorIsNot: core.isQontoError(new Error('x')),
    crossBuild,
  }));
});
`;

const expected = {
  authorizeUrl: 'https://oauth.qonto.com/oauth2/auth',
  clientId: 'my-client',
  state: 'fixed-state',
  hasApi: true,
  isQontoError: true,
  code: 'config',
  plainErrorIsNot: false,
  crossBuild: true,
};

let work: string;
let tarball: string;

async function consumer(name: string, type: 'commonjs' | 'module', file: string, source: string) {
  const dir = join(work, name);
  await mkdir(dir);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name, private: true, type }));
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--no-package-lock', tarball], {
    cwd: dir,
  });
  await writeFile(join(dir, file), source);
  const { stdout } = await run(process.execPath, [file], { cwd: dir });
  return JSON.parse(stdout.trim()) as unknown;
}

describe('the packed tarball', () => {
  beforeAll(async () => {
    if (!existsSync(join(packageDir, 'dist', 'index.cjs'))) {
      await run('pnpm', ['run', 'build'], { cwd: packageDir });
    }
    work = await mkdtemp(join(tmpdir(), 'qonto-core-pack-'));
    await run('pnpm', ['pack', '--pack-destination', work], { cwd: packageDir });
    const name = (await readdir(work)).find((f) => f.endsWith('.tgz'));
    if (name === undefined) throw new Error(`pnpm pack wrote no tarball into ${work}`);
    tarball = join(work, name);
  }, 120_000);

  afterAll(async () => {
    if (work !== undefined) await rm(work, { recursive: true, force: true });
  });

  // One non-ASCII character anywhere, a comment included, makes V8 hold the whole file as a two-byte string and
  // scan it more slowly: it cost ~0.7 ms of import time (bench/run.mjs, 1b). esbuild escapes strings, not comments.
  // A regex literal with a Unicode property class (\p{...}) makes V8 load Unicode data while it parses the module,
  // even inside a function never called: ~0.3 ms of every import. Such regexes are built from strings on first use.
  it('ships no regex literal with a Unicode property class', async () => {
    for (const file of ['index.js', 'index.cjs']) {
      const text = await readFile(join(packageDir, 'dist', file), 'utf8');
      const at = text.search(/(?<!\\)\\p\{/);
      expect(at, `dist/${file}: ${JSON.stringify(text.slice(at - 40, at + 40))}`).toBe(-1);
    }
  });

  it('ships its JavaScript as ASCII only', async () => {
    for (const file of ['index.js', 'index.cjs']) {
      const text = await readFile(join(packageDir, 'dist', file), 'latin1');
      const at = text.search(/[^\t\n\r -~]/);
      expect(
        at,
        `dist/${file} has a byte outside printable ASCII at ${at}: ${JSON.stringify(text.slice(at - 40, at + 20))}`,
      ).toBe(-1);
    }
  });

  it('works from a CommonJS project through require()', async () => {
    const source = checks(`
const core = require('@qonto-oauth/core');
// An error from the ESM build is recognised by the CJS build's isQontoError (a Symbol.for brand).
const CROSS = import('@qonto-oauth/core').then((esm) => core.isQontoError(new esm.QontoConfigError('x')));
`);
    expect(await consumer('cjs-consumer', 'commonjs', 'index.js', source)).toEqual(expected);
  }, 60_000);

  it('works from an ES module project through import', async () => {
    const source = checks(`
import * as core from '@qonto-oauth/core';
import { createRequire } from 'node:module';
const cjs = createRequire(import.meta.url)('@qonto-oauth/core');
const CROSS = core.isQontoError(new cjs.QontoConfigError('x'));
`);
    expect(await consumer('esm-consumer', 'module', 'index.js', source)).toEqual(expected);
  }, 60_000);
});
