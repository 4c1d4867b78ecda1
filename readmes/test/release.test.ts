import { execFile, execFileSync, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Manifest, packPublishedPackages, staleLockRecords } from '../../consumers/lib/packs.mjs';
import { ROOT } from './markdown.js';
import { publishedPackages } from './packages.js';

// What `pnpm release` would do with the changesets waiting in .changeset/, rehearsed on a throwaway copy of the
// workspace: `changeset version`, then `pnpm publish -r --dry-run` against a registry on loopback that knows no
// package (so every version counts as unpublished, and nothing reaches the internet).
const BUMPS = ['patch', 'minor', 'major'] as const;
type Bump = (typeof BUMPS)[number];

const published = publishedPackages();
const publishedNames = published.map(({ name }) => name).sort();

/** Each package's strongest bump among the waiting changesets, and the changesets' summaries. */
function waitingChangesets(): Map<string, { bump: Bump; summaries: string[] }> {
  const waiting = new Map<string, { bump: Bump; summaries: string[] }>();
  const dir = join(ROOT, '.changeset');
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.md') && name !== 'README.md')) {
    const [, frontmatter = '', summary = ''] = readFileSync(join(dir, file), 'utf8').split(/^---$/m);
    for (const [, name = '', bump] of frontmatter.matchAll(
      /^\s*"?([^":\s]+)"?\s*:\s*(patch|minor|major)\s*$/gm,
    )) {
      const before = waiting.get(name) ?? { bump: 'patch', summaries: [] };
      const stronger =
        BUMPS.indexOf(bump as Bump) > BUMPS.indexOf(before.bump) ? (bump as Bump) : before.bump;
      waiting.set(name, { bump: stronger, summaries: [...before.summaries, summary.trim()] });
    }
  }
  return waiting;
}

/** `text` with each run of white space one space: a CHANGELOG wraps as its summary does, or not. */
function words(text: string): string {
  return text.replace(/\s+/g, ' ');
}

function bumped(version: string, bump: Bump): string {
  const [major = 0, minor = 0, patch = 0] = version.split('.').map(Number);
  if (bump === 'major') return `${major + 1}.0.0`;
  if (bump === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}

/**
 * The tracked files that `changeset version`, `pnpm publish` and `consumers/relock.mjs` read: manifests, changesets,
 * packages/ and their builds, the consumers' lockfiles.
 */
function copyWorkspace(to: string): void {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard'], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\n')
    .filter(
      (path) =>
        /^(packages\/|\.changeset\/)|(^|\/)package\.json$|^pnpm-workspace\.yaml$|^LICENSE$/.test(path) ||
        /^consumers\/([^/]+\/package-lock\.json|lib\/|relock\.mjs$|matrix\.mjs$)/.test(path),
    )
    .filter((path) => !/^consumers\/.*package\.json$/.test(path) && existsSync(join(ROOT, path)));
  for (const path of files) {
    mkdirSync(dirname(join(to, path)), { recursive: true });
    cpSync(join(ROOT, path), join(to, path));
  }
  for (const { dir } of published)
    cpSync(join(dir, 'dist'), join(to, dir.slice(ROOT.length), 'dist'), { recursive: true });
  // pnpm resolves `workspace:` ranges through the installed links, as `pnpm install` lays them out.
  for (const { dir, manifest } of published) {
    const all = manifest as unknown as Record<string, Record<string, string> | undefined>;
    const internal = Object.keys({
      ...all.dependencies,
      ...all.devDependencies,
      ...all.peerDependencies,
    }).filter((name) => name.startsWith('@qonto-oauth/'));
    for (const name of internal) {
      const link = join(to, dir.slice(ROOT.length), 'node_modules', name);
      mkdirSync(dirname(link), { recursive: true });
      symlinkSync(join('..', '..', '..', name.slice('@qonto-oauth/'.length)), link);
    }
  }
  symlinkSync(join(ROOT, 'node_modules'), join(to, 'node_modules'));
}

/** `pnpm publish -r --dry-run`'s report: each package it would publish, with the files of its tarball. */
function publishReport(output: string): Map<string, string[]> {
  const report = new Map<string, string[]>();
  let files: string[] | undefined;
  for (const line of output.split('\n')) {
    const pkg = line.match(/📦\s+(@?[^@\s]+)@(\S+)/);
    if (pkg) {
      files = [];
      report.set(`${pkg[1]}@${pkg[2]}`, files);
    } else if (/Tarball Details/.test(line)) files = undefined;
    else if (files) {
      const file = line.match(/^npm notice [\d.]+k?M?B\s+(\S.*)$/);
      if (file?.[1]) files.push(file[1]);
    }
  }
  return report;
}

const waiting = waitingChangesets();
let copy: string;
let registry: Server;
let versioned: Map<string, Manifest>;
let publishOutput: string;

beforeAll(async () => {
  copy = mkdtempSync(join(tmpdir(), 'qonto-release-'));
  copyWorkspace(copy);
  execFileSync(process.execPath, [join(ROOT, 'node_modules/@changesets/cli/bin.js'), 'version'], {
    cwd: copy,
    encoding: 'utf8',
  });
  versioned = await packPublishedPackages(copy, join(copy, '.packs'));
  registry = createServer((_, res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{}'));
  await new Promise<void>((resolve) => registry.listen(0, '127.0.0.1', resolve));
  const { port } = registry.address() as AddressInfo;
  const args = ['publish', '-r', '--dry-run', '--no-git-checks', '--registry', `http://127.0.0.1:${port}/`];
  // Asynchronously: the registry answers from this process. The shell merges npm's notices (stderr) into stdout.
  const { stdout } = await promisify(execFile)('sh', ['-c', 'pnpm "$@" 2>&1', 'pnpm', ...args], {
    cwd: copy,
  });
  publishOutput = stdout;
});
afterAll(async () => {
  await new Promise((resolve) => registry?.close(resolve));
  if (copy) rmSync(copy, { recursive: true, force: true });
});

describe('changeset version on a copy of the workspace', () => {
  for (const { name, dir, manifest } of published) {
    const before = (manifest as unknown as { version: string }).version;
    const folder = dir.slice(ROOT.length);

    it(`${name}: the version its changesets ask for, and a CHANGELOG with their text`, () => {
      const own = waiting.get(name);
      const after = versioned.get(name)?.version;
      if (own === undefined) expect(after === before || after === bumped(before, 'patch')).toBe(true);
      else {
        expect(after).toBe(bumped(before, own.bump));
        const changelog = readFileSync(join(copy, folder, 'CHANGELOG.md'), 'utf8');
        expect(changelog).toMatch(new RegExp(`^# ${name}\\n\\n## ${after?.replaceAll('.', '\\.')}\\n`));
        // Whole summaries: changesets formats the CHANGELOG with prettier, which mangles some markdown (a bare
        // `id_token` opens emphasis).
        for (const summary of own.summaries) expect(words(changelog)).toContain(words(summary));
      }
    });

    it(`${name}: depends on the new versions of the other packages, no workspace: range left`, () => {
      const packed = versioned.get(name);
      const ranges = { ...packed?.dependencies, ...packed?.peerDependencies };
      for (const [dependency, range] of Object.entries(ranges)) {
        const internal = versioned.get(dependency);
        if (internal) expect(range, `${name} → ${dependency}`).toBe(`^${internal.version}`);
        else expect(range, `${name} → ${dependency}`).not.toMatch(/^workspace:/);
      }
    });
  }

  it('leaves CHANGELOGs that the repository formatter accepts', () => {
    const biome = join(ROOT, 'node_modules/@biomejs/biome/bin/biome');
    for (const { dir } of published) {
      const path = join(dir.slice(ROOT.length), 'CHANGELOG.md');
      if (!existsSync(join(copy, path))) continue;
      const text = readFileSync(join(copy, path), 'utf8');
      const formatted = spawnSync(process.execPath, [biome, 'format', `--stdin-file-path=${path}`], {
        cwd: ROOT,
        input: text,
        encoding: 'utf8',
      });
      expect(formatted.stdout, path).toBe(text);
    }
  });

  it("brings the consumers' lockfiles to the new versions (pnpm version-packages)", () => {
    execFileSync(process.execPath, [join(copy, 'consumers/relock.mjs')], { cwd: copy, encoding: 'utf8' });
    for (const consumer of readdirSync(join(copy, 'consumers'))) {
      const lockFile = join(copy, 'consumers', consumer, 'package-lock.json');
      if (existsSync(lockFile)) expect(staleLockRecords(lockFile, versioned), consumer).toEqual([]);
    }
  });

  it('consumes every changeset', () => {
    expect(readdirSync(join(copy, '.changeset')).sort()).toEqual(['README.md', 'config.json']);
  });
});

describe('pnpm publish -r --dry-run after it', () => {
  it('publishes exactly the published packages at their new versions, none of the private ones', () => {
    const expected = publishedNames.map((name) => `${name}@${versioned.get(name)?.version}`);
    expect([...publishReport(publishOutput).keys()].sort()).toEqual(expected.sort());
  });

  it('publishes only the build, the README, the LICENSE and the manifest (and the sandbox CLI)', () => {
    for (const [pkg, files] of publishReport(publishOutput)) {
      const unexpected = files.filter(
        (file) =>
          !/^(LICENSE|README\.md|package\.json|dist\/[\w-]+\.(js|cjs|d\.ts|d\.cts|js\.map|cjs\.map))$/.test(
            file,
          ) && !(pkg.startsWith('@qonto-oauth/sandbox@') && /^bin\/[\w-]+\.js$/.test(file)),
      );
      expect(unexpected, pkg).toEqual([]);
      expect(files, pkg).toEqual(
        expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/index.js', 'dist/index.cjs']),
      );
    }
  });
});
