import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

type Core = typeof import('../src/index.js');

// A private build with the package's own tsup, so the test never races `pnpm build` over dist/.
const outDir = mkdtempSync(join(tmpdir(), 'qonto-core-dual-'));
let esm: Core;
let cjs: Core;

beforeAll(async () => {
  const root = join(import.meta.dirname, '..');
  // tsup is a workspace-root devDependency: resolve its CLI the way Node would, and run it with this Node.
  const require = createRequire(import.meta.url);
  const tsupCli = join(dirname(require.resolve('tsup/package.json')), 'dist', 'cli-default.js');
  execFileSync(
    process.execPath,
    [
      tsupCli,
      'src/index.ts',
      '--no-config',
      '--format',
      'esm,cjs',
      '--target',
      'node20',
      '--out-dir',
      outDir,
      '--silent',
    ],
    { cwd: root, stdio: 'pipe' },
  );
  writeFileSync(join(outDir, 'package.json'), '{"type":"module"}');
  esm = (await import(pathToFileURL(join(outDir, 'index.js')).href)) as Core;
  cjs = createRequire(import.meta.url)(join(outDir, 'index.cjs')) as Core;
}, 60_000);

afterAll(() => rmSync(outDir, { recursive: true, force: true }));

function thrownBy(core: Core): unknown {
  try {
    core.createQontoFetch({ environment: 'sandbox' });
  } catch (error) {
    return error;
  }
  throw new Error('expected a QontoConfigError');
}

describe('isQontoError across the ESM and CJS builds', () => {
  it('recognises an error thrown by the other build, where instanceof cannot', () => {
    const fromEsm = thrownBy(esm);
    const fromCjs = thrownBy(cjs);
    expect(fromEsm).not.toBeInstanceOf(cjs.QontoError);
    expect(fromCjs).not.toBeInstanceOf(esm.QontoError);
    expect(cjs.isQontoError(fromEsm)).toBe(true);
    expect(esm.isQontoError(fromCjs)).toBe(true);
    expect(cjs.isQontoError(new Error('plain'))).toBe(false);
    expect((fromEsm as { code: string }).code).toBe('config');
    expect((fromCjs as { code: string }).code).toBe('config');
  });
});
