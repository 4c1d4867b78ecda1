import { defineProject } from 'vitest/config';

export default defineProject({
  test: {
    include: ['bench/**/*.bench.ts'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
  },
});
