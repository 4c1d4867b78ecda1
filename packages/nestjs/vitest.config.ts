import { fileURLToPath } from 'node:url';
import { defineProject } from 'vitest/config';

export default defineProject({
  // Tests import '@qonto-oauth/nestjs' by name: here it is the source; a fixture package on another Nest major
  // (issue 10) can run the same files against the built package instead.
  resolve: { alias: { '@qonto-oauth/nestjs': fileURLToPath(new URL('./src/index.ts', import.meta.url)) } },
  // Nest needs legacy (TypeScript experimental) decorators. No decorator metadata on purpose: the package and the
  // tests inject with explicit @Inject(TOKEN) only, as consumers' esbuild/tsup/swc builds without metadata do.
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: false } },
  test: {
    include: ['test/**/*.test.ts'],
    // Generous: the suite must not flake on a loaded 2-core machine (timings live in benchmarks, not tests).
    testTimeout: 120_000,
    hookTimeout: 60_000,
    // Each file boots Nest apps and an emulator; forks keep passport's global strategy registry per file.
    pool: 'forks',
  },
});
