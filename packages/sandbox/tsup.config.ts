import { rmSync } from 'node:fs';
import { defineConfig } from 'tsup';

// Cleaned once here rather than with `clean: true`: the builds below run at the same time, and one's clean could
// delete another's output.
rmSync('dist', { recursive: true, force: true });

const entry = { index: 'src/index.ts', demo: 'src/demo.ts', testing: 'src/testing.ts' };

export default defineConfig([
  {
    entry,
    format: ['esm'],
    dts: true,
    sourcemap: true,
    target: 'node20',
  },
  {
    entry,
    format: ['cjs'],
    dts: true,
    sourcemap: true,
    target: 'node20',
    // jose and rou3 are ESM-only. Plain Node >= 20.19 `require`s it (require(esm)), but Jest's module system does not
    // ("Must use import to load ES Module"): bundled into the CommonJS build, it loads in Jest too.
    noExternal: ['jose', 'rou3'],
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
