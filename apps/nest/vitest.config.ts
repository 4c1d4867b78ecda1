import { defineProject } from 'vitest/config';

export default defineProject({
  // Nest's legacy decorators; no decorator metadata: every injection names its token with @Inject(...).
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
