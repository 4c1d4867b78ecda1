import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    include: ['test/**/*.test.ts'],
    // Generous: the suite must not flake on a loaded 2-core machine (timings live in benchmarks, not tests).
    testTimeout: 120_000,
    hookTimeout: 60_000,
  },
});
