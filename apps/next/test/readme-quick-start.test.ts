import { execFile } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const APP_DIR = fileURLToPath(new URL('..', import.meta.url));
const README = fileURLToPath(new URL('../../../packages/next-auth/README.md', import.meta.url));
// Under this app's node_modules, so the project resolves what a create-next-app project with the README's install
// line has: next, react, next-auth 5 and @qonto-oauth/next-auth (this app's own dependencies).
const PROJECT = join(APP_DIR, 'node_modules', '.cache', 'readme-quick-start');

/** The tsconfig.json create-next-app writes (TypeScript, App Router, the default `@/*` alias, no src/ directory). */
const CREATE_NEXT_APP_TSCONFIG = {
  compilerOptions: {
    target: 'ES2017',
    lib: ['dom', 'dom.iterable', 'esnext'],
    allowJs: true,
    skipLibCheck: true,
    strict: true,
    noEmit: true,
    esModuleInterop: true,
    module: 'esnext',
    moduleResolution: 'bundler',
    resolveJsonModule: true,
    isolatedModules: true,
    jsx: 'react-jsx',
    paths: { '@/*': ['./*'] },
  },
  include: ['**/*.ts', '**/*.tsx'],
  exclude: ['node_modules'],
};

/** The files of the README's Auth.js v5 quick start: each TypeScript block, saved where its first comment says. */
async function quickStartFiles(): Promise<{ path: string; code: string }[]> {
  const readme = await readFile(README, 'utf8');
  const section = readme.slice(
    readme.indexOf('## Quick start: Auth.js v5'),
    readme.indexOf('## Quick start: NextAuth v4'),
  );
  return [...section.matchAll(/```tsx?\n\/\/ (\S+)[^\n]*\n[\s\S]*?```/g)].map((match) => ({
    path: match[1]!,
    code: match[0].replace(/^```tsx?\n/, '').replace(/```$/, ''),
  }));
}

afterAll(async () => {
  await rm(PROJECT, { recursive: true, force: true });
});

describe("@qonto-oauth/next-auth's Auth.js v5 quick start", () => {
  it('type-checks as pasted into a create-next-app project: the session callback reads the organization', async () => {
    const files = await quickStartFiles();
    expect(files.map((f) => f.path)).toEqual([
      'auth.ts',
      'types/next-auth.d.ts',
      'app/api/auth/[...nextauth]/route.ts',
      'app/page.tsx',
    ]);
    await rm(PROJECT, { recursive: true, force: true });
    for (const { path, code } of files) {
      await mkdir(dirname(join(PROJECT, path)), { recursive: true });
      await writeFile(join(PROJECT, path), code);
    }
    await writeFile(join(PROJECT, 'tsconfig.json'), JSON.stringify(CREATE_NEXT_APP_TSCONFIG));
    const tsc = createRequire(join(APP_DIR, 'package.json')).resolve('typescript/bin/tsc');
    const output = await run(process.execPath, [tsc, '-p', PROJECT]).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    expect(output).toBe('');
  });
});
