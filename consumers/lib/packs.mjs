import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './exec.mjs';

/**
 * @typedef {{ name: string, version: string, dependencies?: Record<string, string>,
 *   peerDependencies?: Record<string, string>, optionalDependencies?: Record<string, string> }} Manifest
 */

/** The tarball of `@qonto-oauth/core` is `qonto-oauth-core.tgz`: a name that no version bump changes. */
export const packFileName = (/** @type {string} */ name) => `${name.replace(/^@/, '').replace('/', '-')}.tgz`;

/**
 * `pnpm pack` of every published package of packages/ (what the registry would serve: `workspace:` ranges
 * replaced, only `files`), into `packsDir`.
 * @param {string} root the repository
 * @param {string} packsDir
 * @returns {Promise<Map<string, Manifest>>} package name → the manifest inside its tarball
 */
export async function packPublishedPackages(root, packsDir) {
  rmSync(packsDir, { recursive: true, force: true });
  mkdirSync(packsDir, { recursive: true });
  const dirs = readdirSync(join(root, 'packages'))
    .map((folder) => join(root, 'packages', folder))
    .filter((dir) => {
      try {
        return !JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).private;
      } catch {
        return false;
      }
    });
  const manifests = new Map();
  await Promise.all(
    dirs.map(async (dir) => {
      const scratch = mkdtempSync(join(tmpdir(), 'qonto-pack-'));
      try {
        await run('pnpm', ['pack', '--pack-destination', scratch], { cwd: dir, label: 'pnpm pack' });
        const [file] = readdirSync(scratch);
        const manifest = JSON.parse(
          await run('tar', ['-xOzf', join(scratch, file), 'package/package.json'], { cwd: scratch }),
        );
        renameSync(join(scratch, file), join(packsDir, packFileName(manifest.name)));
        manifests.set(manifest.name, manifest);
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    }),
  );
  return manifests;
}

/** What a lockfile records of a packed package that its manifest decides. */
const LOCKED_FIELDS = /** @type {const} */ ([
  'version',
  'dependencies',
  'peerDependencies',
  'optionalDependencies',
]);

/**
 * What a consumer's package-lock.json records about the packed packages and no longer matches the tarballs: npm
 * installs a `file:` tarball's dependencies from the lockfile's record, without reading the tarball again, so a
 * stale record would go unnoticed.
 * @param {string} lockFile
 * @param {Map<string, Manifest>} manifests
 * @returns {string[]}
 */
export function staleLockRecords(lockFile, manifests) {
  const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
  const problems = [];
  for (const [path, record] of Object.entries(lock.packages ?? {})) {
    const name = path.replace(/^.*node_modules\//, '');
    const manifest = manifests.get(name);
    if (manifest === undefined || path === '') continue;
    for (const field of LOCKED_FIELDS) {
      const recorded = JSON.stringify(sorted(record[field]));
      const packed = JSON.stringify(sorted(manifest[field]));
      if (recorded !== packed)
        problems.push(`${name} ${field}: the lockfile has ${recorded}, the package ${packed}`);
    }
  }
  return problems;
}

/**
 * The lockfile's text with its records of the packed packages brought in line with their manifests (version and
 * dependency ranges), everything else untouched: what a version bump changes in them, without asking a registry.
 * @param {string} lockFile
 * @param {Map<string, Manifest>} manifests
 * @returns {string}
 */
export function relockedText(lockFile, manifests) {
  const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
  for (const [path, record] of Object.entries(lock.packages ?? {})) {
    const manifest = manifests.get(path.replace(/^.*node_modules\//, ''));
    if (manifest === undefined || path === '') continue;
    for (const field of LOCKED_FIELDS) {
      if (manifest[field] === undefined) delete record[field];
      else record[field] = sorted(manifest[field]);
    }
  }
  return `${JSON.stringify(lock, null, 2)}\n`;
}

function sorted(value) {
  if (value === undefined || typeof value !== 'object') return value;
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * Removes the `integrity` npm records for `file:` tarballs: they change with every build, and npm does not
 * check them for local files anyway.
 * @param {string} lockFile
 * @returns {string} the lockfile's new text
 */
export function withoutLocalIntegrity(lockFile) {
  const lock = JSON.parse(readFileSync(lockFile, 'utf8'));
  for (const record of Object.values(lock.packages ?? {})) {
    if (typeof record.resolved === 'string' && record.resolved.startsWith('file:')) delete record.integrity;
  }
  return `${JSON.stringify(lock, null, 2)}\n`;
}
