import { defineProject } from 'vitest/config';

export default defineProject({
  logLevel: 'error',
  test: {
    include: ['test/**/*.test.ts'],
    // Generous: the suite must not flake on a loaded 2-core machine (timings live in benchmarks, not tests).
    testTimeout: 60_000,
    // The release rehearsal's and the metadata test's hooks pack all seven packages (and run `changeset version` and
    // `pnpm publish --dry-run`): over 60 s while turbo runs every other suite beside them on 2 cores.
    hookTimeout: 300_000,
    // @actions/workflow-parser imports its JSON schema without `with { type: 'json' }`, which Node refuses;
    // inlined, Vite transforms the import (and would warn of each of its source maps, which point at sources it
    // does not publish: hence `logLevel`).
    server: { deps: { inline: ['@actions/workflow-parser'] } },
  },
});
