import { defineConfig } from 'vitest/config';

const shared = {
  include: ['test/**/*.test.ts'],
  // Generous: the suite must not flake on a loaded 2-core machine (timings live in benchmarks, not tests).
  testTimeout: 120_000,
  hookTimeout: 60_000,
};

// The same tests against both ends of the peer range (`better-auth` ^1.6.11): the newest 1.7 and the lowest
// 1.6.11, installed as the devDependency alias `better-auth-lowest`.
export default defineConfig({
  test: {
    projects: [
      { test: { ...shared, name: 'better-auth@1.7' } },
      {
        resolve: { alias: [{ find: /^better-auth(\/.*)?$/, replacement: 'better-auth-lowest$1' }] },
        // The README's quick start runs in a child process, which the alias cannot reach: 1.7 only.
        test: { ...shared, name: 'better-auth@1.6.11', exclude: ['test/readme.test.ts'] },
      },
    ],
  },
});
