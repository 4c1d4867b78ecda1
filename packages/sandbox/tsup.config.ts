import { readFileSync, rmSync } from 'node:fs';
import { defineConfig } from 'tsup';

// Cleaned once here rather than with `clean: true`: the builds below run at the same time, and one's clean could
// delete another's output.
rmSync('dist', { recursive: true, force: true });

const entry = { index: 'src/index.ts', demo: 'src/demo.ts', testing: 'src/testing.ts' };

/** The packages the CommonJS build bundles: their MIT licenses ask that their notices go with every copy. */
const BUNDLED = { jose: 'LICENSE.md', rou3: 'LICENSE' };
const bundledNotices = Object.entries(BUNDLED)
  .map(([name, file]) => {
    const { version } = JSON.parse(readFileSync(`node_modules/${name}/package.json`, 'utf8'));
    const license = readFileSync(`node_modules/${name}/${file}`, 'utf8').trim().replaceAll('*/', '* /');
    return `${name} ${version}:\n\n${license}`;
  })
  .join('\n\n');

export default defineConfig([
  {
    entry,
    format: ['esm'],
    dts: true,
    sourcemap: true,
    target: 'node20',
  },
  {
    entry: { index: entry.index },
    format: ['cjs'],
    dts: true,
    sourcemap: true,
    target: 'node20',
    // jose and rou3 are ESM-only. Plain Node >= 20.19 `require`s it (require(esm)), but Jest's module system does not
    // ("Must use import to load ES Module"): bundled into the CommonJS build, it loads in Jest too.
    noExternal: Object.keys(BUNDLED),
    banner: { js: `/*!\nThis file bundles the following packages.\n\n${bundledNotices}\n*/` },
  },
  {
    // They bundle neither (test/bundled-licenses.test.ts checks it).
    entry: { demo: entry.demo, testing: entry.testing },
    format: ['cjs'],
    dts: true,
    sourcemap: true,
    target: 'node20',
  },
  {
    entry: { cli: 'src/cli.ts' },
    // The package's `bin`: it needs the shebang; ESM is enough, nobody `require`s a CLI.
    format: ['esm'],
    banner: { js: '#!/usr/bin/env node' },
    sourcemap: true,
    target: 'node20',
  },
]);
