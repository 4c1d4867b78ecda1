import { readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { customFetch } from '@auth/core';
import { describe, expect, it } from 'vitest';
import { Qonto } from '../src/authjs.js';

const packageDir = dirname(dirname(fileURLToPath(import.meta.url)));

/**
 * The real root directory of `name` as Node resolves it from `fromDir`, or undefined when it cannot. Neither
 * @auth/core nor next-auth exports `./package.json`: resolve the entry and walk up to the package's root.
 */
function resolvePackage(name: string, fromDir: string): { dir: string; version: string } | undefined {
  let entry: string;
  try {
    entry = realpathSync(createRequire(join(fromDir, 'package.json')).resolve(name));
  } catch {
    return undefined;
  }
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version: string;
      };
      if (manifest.name === name) return { dir, version: manifest.version };
    } catch {
      // no package.json at this level
    }
  }
  return undefined;
}

const authCoreFrom = (fromDir: string) => resolvePackage('@auth/core', fromDir)?.dir;

// `customFetch` is a plain Symbol(), not Symbol.for(): a second copy of @auth/core would make the provider's
// [customFetch] invisible to the Auth.js that runs it, and the staging header would silently disappear.
describe('one copy of @auth/core', () => {
  it('is what the package and its tests resolve', () => {
    const fromPackage = authCoreFrom(packageDir);
    expect(fromPackage).toBeDefined();
    expect(authCoreFrom(dirname(fileURLToPath(import.meta.url)))).toBe(fromPackage);
  });

  it('is what next-auth resolves, when it has @auth/core at all', () => {
    const nextAuth = resolvePackage('next-auth', packageDir);
    expect(nextAuth).toBeDefined();
    const fromNextAuth = authCoreFrom(nextAuth!.dir);
    // next-auth 5 depends on @auth/core; next-auth 4 only has it as an optional peer (linked here by pnpm).
    if (nextAuth!.version.startsWith('5.')) expect(fromNextAuth).toBeDefined();
    if (fromNextAuth !== undefined) expect(fromNextAuth).toBe(authCoreFrom(packageDir));
  });

  it('gives the provider the customFetch symbol the app imports', () => {
    expect(Object.getOwnPropertySymbols(Qonto({ environment: 'production' }))).toContain(customFetch);
  });
});
