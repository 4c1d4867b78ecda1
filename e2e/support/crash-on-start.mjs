// Preloaded through NODE_OPTIONS by demo.test.ts: the express sample app's server "crashes" as it starts, as a
// real bug would, so the test can check that `pnpm demo` stops and shows the end of that app's log.
if (process.argv[1]?.endsWith('/apps/express-passport/dist/server.js')) {
  console.error('e2e: example-express-passport crashes on purpose (demo.test.ts)');
  process.exit(3);
}
