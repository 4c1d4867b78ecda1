import { defineProject } from 'vitest/config';

export default defineProject({
  logLevel: 'error',
  test: {
    include: ['test/**/*.test.ts'],
    // Generous: the suite must not flake on a loaded 2-core machine (timings live in benchmarks, not tests).
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // @actions/workflow-parser imports its JSON schema without `with { type: 'json' }`, which Node refuses;
    // inlined, Vite transforms the import (and would warn of each of its source maps, which point at sources it
    // does not publish: hence `logLevel`).
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
});
