import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    include: ['test/**/*.test.ts'],
    // Each acceptance file starts its own `next start`: one at a time, so two servers never share 2 cores.
    fileParallelism: false,
    // Starting Next and walking through the emulator's pages takes seconds on a loaded machine.
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
