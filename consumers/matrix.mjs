// The consumer matrix: one line per project of this folder. A consumer is a folder with a package.json (the
// @qonto-oauth packages as `file:../.packs/<name>.tgz`, everything else pinned by its package-lock.json), optional
// `build` and `test` scripts, and a `start` script serving the app on $PORT (see README.md).
//
//   dir       the folder
//   flow      how a browser starts the login: 'get' (GET `login`, 302 to Qonto) or 'next-auth' (CSRF token, then
//             POST /api/auth/signin/qonto)
//   login     the path that starts it ('get' only; default /auth/qonto)
//   home      where the app shows the connected organization after the callback's redirects (default: their end)
//   declined  what the app answers once a declined consent's redirects end: { status, text }
//   runtimes  where `start` runs: node20 (the machine's node), node22 and node24 (the registry's `node`
//             package), bun, deno (the registry's packages; they start the package.json `main` file)

/**
 * @typedef {'node20' | 'node22' | 'node24' | 'bun' | 'deno'} Runtime
 * @typedef {{ dir: string, flow: 'get' | 'next-auth', login?: string, home?: string,
 *   declined: { status: number, text: string }, runtimes: Runtime[] }} Consumer
 */

/** @type {Consumer[]} */
export const CONSUMERS = [
  {
    dir: 'core-quickstart',
    flow: 'get',
    login: '/',
    declined: { status: 500, text: 'access_denied' },
    // Not deno: Deno's fetch sends header names in lowercase (x-qonto-staging-token), which the emulator, like
    // the sandbox gate it imitates, refuses (README.md, "Deno").
    runtimes: ['node20', 'bun'],
  },
  {
    dir: 'express4-passport-cjs',
    flow: 'get',
    declined: { status: 200, text: 'declined' },
    runtimes: ['node20', 'node22', 'node24'],
  },
  {
    dir: 'express-passport-ts-esm',
    flow: 'get',
    declined: { status: 200, text: 'declined' },
    runtimes: ['node20'],
  },
  {
    dir: 'next16-next-auth4-pages',
    flow: 'next-auth',
    declined: { status: 200, text: 'cancelled' },
    runtimes: ['node20', 'node22', 'node24'],
  },
  {
    dir: 'next16-authjs5-app',
    flow: 'next-auth',
    declined: { status: 200, text: 'cancelled' },
    runtimes: ['node20', 'node22', 'node24'],
  },
  {
    dir: 'nest11-cjs-jest',
    flow: 'get',
    declined: { status: 401, text: 'access_denied' },
    runtimes: ['node20'],
  },
  {
    dir: 'nest12-esm',
    flow: 'get',
    declined: { status: 401, text: 'access_denied' },
    runtimes: ['node20', 'node22', 'node24'],
  },
  {
    dir: 'redis-quickstart',
    flow: 'get',
    declined: { status: 500, text: 'access_denied' },
    runtimes: ['node20', 'node22', 'node24'],
  },
  {
    dir: 'better-auth-cjs',
    flow: 'get',
    declined: { status: 200, text: 'declined' },
    runtimes: ['node20', 'node22', 'node24'],
  },
];
