import { defineProject } from 'vitest/config';

/** One folder of screenshots per run, shared by every spec file of that run (each runs in its own fork). */
const runId = process.env.E2E_RUN_ID ?? new Date().toISOString().replace(/[:.]/g, '-');

export default defineProject({
  test: {
    name: 'e2e',
    // `*.spec.ts`: browser specs (chromium through playwright-core); `*.test.ts`: `pnpm demo` as a process.
    include: ['*.spec.ts', '*.test.ts'],
    // Each file starts real servers and a browser: forks, one file at a time, so a 2-core machine is not overrun
    // and ports are never contended between files.
    pool: 'forks',
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
    env: { E2E_RUN_ID: runId },
  },
});
