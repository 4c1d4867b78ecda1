import { rmSync } from 'node:fs';
import { defineConfig } from 'tsup';

// Cleaned once here rather than with `clean: true`: the two builds below run at the same time, and one's clean
// could delete the other's output.
rmSync('dist', { recursive: true, force: true });

export default defineConfig([
  {
    entry: { index: 'src/index.ts', demo: 'src/demo.ts', testing: 'src/testing.ts' },
    format: ['esm', 'cjs'],
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
