import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Manifest, packFileName, packPublishedPackages } from '../../consumers/lib/packs.mjs';
import { ROOT } from './markdown.js';
import { publishedPackages } from './packages.js';

// What the registry shows about each package comes from the manifest inside its tarball (after pnpm's
// `publishConfig` and `workspace:` rewriting), so that is what is checked, not packages/*/package.json.
const REPOSITORY = 'https://github.com/qonto-oauth/qonto-oauth';

/** The keyword that finds each package from its framework's side (besides "qonto" and "oauth"). */
const FRAMEWORK_KEYWORD: Record<string, string> = {
  '@qonto-oauth/core': 'oauth2',
  '@qonto-oauth/sandbox': 'sandbox',
  '@qonto-oauth/passport': 'passport',
  '@qonto-oauth/next-auth': 'next-auth',
  '@qonto-oauth/nestjs': 'nestjs',
  '@qonto-oauth/redis': 'redis',
  '@qonto-oauth/better-auth': 'better-auth',
};

const rootManifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const license = readFileSync(join(ROOT, 'LICENSE'), 'utf8');
const packages = publishedPackages();

let packsDir: string;
let packed: Map<string, Manifest>;

beforeAll(async () => {
  packsDir = mkdtempSync(join(tmpdir(), 'qonto-metadata-'));
  packed = await packPublishedPackages(ROOT, packsDir);
});
afterAll(() => rmSync(packsDir, { recursive: true, force: true }));

const fileOf = (name: string, path: string) =>
  execFileSync('tar', ['-xOzf', join(packsDir, packFileName(name)), `package/${path}`], { encoding: 'utf8' });
const filesOf = (name: string) =>
  execFileSync('tar', ['-tzf', join(packsDir, packFileName(name))], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
    .map((path) => path.replace(/^package\//, ''));

describe('the metadata the registry shows, read from each packed tarball', () => {
  it('covers every published package', () => {
    expect(packages.map(({ name }) => name).sort()).toEqual(Object.keys(FRAMEWORK_KEYWORD).sort());
  });

  for (const { name, dir } of packages) {
    const directory = dir.slice(ROOT.length).replaceAll('\\', '/').replace(/\/$/, '');

    describe(name, () => {
      const manifest = () => packed.get(name) ?? expect.fail(`${name} was not packed`);

      it('says what it is and how to find it', () => {
        expect(manifest().description).toMatch(/Qonto.{20,}/);
        expect(manifest().keywords).toEqual(
          expect.arrayContaining(['qonto', 'oauth', FRAMEWORK_KEYWORD[name]]),
        );
      });

      it('points at its folder of the repository, its README and the issue tracker', () => {
        expect(manifest().repository).toEqual({ type: 'git', url: `git+${REPOSITORY}.git`, directory });
        expect(existsSync(join(ROOT, directory, 'package.json'))).toBe(true);
        expect(manifest().homepage).toBe(`${REPOSITORY}/tree/main/${directory}#readme`);
        expect(manifest().bugs).toEqual({ url: `${REPOSITORY}/issues` });
      });

      it('is MIT with the license text in the tarball', () => {
        expect(manifest().license).toBe('MIT');
        expect(filesOf(name)).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json']));
        expect(fileOf(name, 'LICENSE')).toBe(license);
      });

      it('declares the Node versions, side effects and public access', () => {
        expect(manifest().engines).toEqual(rootManifest.engines);
        expect(manifest().sideEffects).toBe(false);
        expect(manifest().publishConfig).toEqual({ access: 'public' });
      });

      it('depends on released versions only, no workspace: range', () => {
        const ranges = Object.values({ ...manifest().dependencies, ...manifest().peerDependencies });
        expect(ranges.filter((range) => range.startsWith('workspace:'))).toEqual([]);
      });
    });
  }
});
