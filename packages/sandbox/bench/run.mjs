// The emulator beside oauth2-mock-server (the mock OAuth server Node projects use), measured in the same run:
// start (import to listening), RSS after 1,000 refresh grants, refresh grants per second one at a time and 16 at
// once. Each server runs in a process of its own (bench/serve.mjs), started fresh for every round; rounds alternate
// which server goes first, and every figure is the median over the rounds.
// Run with `pnpm --filter @qonto-oauth/sandbox bench` (turbo builds dist/ first) or `node bench/run.mjs` after a
// build; BENCH_ROUNDS=20 for more rounds.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(packageDir, 'dist', 'index.js'))) {
  console.error('dist/ is missing: run `pnpm --filter @qonto-oauth/sandbox build` first.');
  process.exit(1);
}
const { completeAuthorization } = await import('../dist/testing.js');

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 10);
const REFRESHES = 1000;
const CONCURRENCY = 16;

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/** node:http with keep-alive, the same client for both servers: a fraction of fetch's cost per request. */
function post(agent, url, form, headers = {}) {
  const body = new URLSearchParams(form).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          ...headers,
          'Content-Type': 'application/x-www-form-urlencoded',
          'Content-Length': Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => {
          if (res.statusCode !== 200) reject(new Error(`${url} answered ${res.statusCode}: ${text}`));
          else resolve(JSON.parse(text));
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Starts `node bench/serve.mjs which` and waits for its start figure and its URL. */
function startServer(which) {
  const child = fork(join(packageDir, 'bench', 'serve.mjs'), [which], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`bench/serve.mjs ${which} exited with ${code}`)));
    child.once('message', (info) => resolve({ child, info }));
  });
}

const rssOf = (child) =>
  new Promise((resolve) => {
    child.once('message', (m) => resolve(m.rss));
    child.send('rss');
  });

/** A refresh token of the emulator: a real sign-in through its pages, then the code exchange. */
async function qontoRefreshToken(info, agent, n) {
  const { clientId, clientSecret, redirectUri } = info.client;
  const query = new URLSearchParams({
    client_id: clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'offline_access organization.read',
    state: `bench-state-${n}-${Date.now()}`,
  });
  const callback = new URL(await completeAuthorization(`${info.url}/oauth2/auth?${query}`, info.user));
  const tokens = await post(
    agent,
    `${info.url}/oauth2/token`,
    {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code'),
      redirect_uri: redirectUri,
      client_id: clientId,
      client_secret: clientSecret,
    },
    { 'X-Qonto-Staging-Token': info.stagingToken },
  );
  return tokens.refresh_token;
}

/** A chain of `count` refresh grants, each with the refresh token the previous one returned. */
async function refreshChain(which, info, agent, refreshToken, count) {
  let token = refreshToken;
  for (let i = 0; i < count; i++) {
    const answer =
      which === 'qonto'
        ? await post(
            agent,
            `${info.url}${info.tokenPath}`,
            {
              grant_type: 'refresh_token',
              refresh_token: token,
              client_id: info.client.clientId,
              client_secret: info.client.clientSecret,
            },
            { 'X-Qonto-Staging-Token': info.stagingToken },
          )
        : await post(agent, `${info.url}${info.tokenPath}`, {
            grant_type: 'refresh_token',
            refresh_token: token,
            client_id: 'bench',
          });
    token = answer.refresh_token;
  }
}

async function round(which) {
  const { child, info } = await startServer(which);
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  try {
    const first = which === 'qonto' ? await qontoRefreshToken(info, agent, 0) : 'bench-refresh-token';
    let t = performance.now();
    await refreshChain(which, info, agent, first, REFRESHES);
    const sequential = REFRESHES / ((performance.now() - t) / 1000);
    const rss = await rssOf(child);
    const tokens = [];
    for (let i = 1; i <= CONCURRENCY; i++) {
      tokens.push(which === 'qonto' ? await qontoRefreshToken(info, agent, i) : `bench-refresh-token-${i}`);
    }
    const perChain = Math.ceil(REFRESHES / CONCURRENCY);
    t = performance.now();
    await Promise.all(tokens.map((token) => refreshChain(which, info, agent, token, perChain)));
    const concurrent = (perChain * CONCURRENCY) / ((performance.now() - t) / 1000);
    return { start: info.startMs, rss, sequential, concurrent };
  } finally {
    agent.destroy();
    child.removeAllListeners('exit');
    child.kill();
  }
}

const results = { qonto: [], mock: [] };
// One warm-up round each (the file system cache), not counted.
await round('qonto');
await round('mock');
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 === 0 ? ['qonto', 'mock'] : ['mock', 'qonto'];
  for (const which of order) results[which].push(await round(which));
}

const figures = [
  ['start, import to listening', 'start', (v) => `${v.toFixed(0)} ms`, 'lower', 'at most 1.0×'],
  [
    `RSS after ${REFRESHES} refresh grants`,
    'rss',
    (v) => `${(v / 1024 / 1024).toFixed(1)} MB`,
    'lower',
    'at most 1.1×',
  ],
  ['refresh grants/s, one at a time', 'sequential', (v) => `${v.toFixed(0)}/s`, 'higher', 'at least 1.3×'],
  [
    `refresh grants/s, ${CONCURRENCY} at once`,
    'concurrent',
    (v) => `${v.toFixed(0)}/s`,
    'higher',
    'at least 1.3×',
  ],
];
console.log(
  `@qonto-oauth/sandbox beside oauth2-mock-server 9.3 (medians of ${ROUNDS} alternating rounds, a fresh process per server per round)`,
);
for (const [label, key, format, better, target] of figures) {
  const ours = median(results.qonto.map((x) => x[key]));
  const theirs = median(results.mock.map((x) => x[key]));
  const ratio = median(results.qonto.map((x, i) => x[key] / results.mock[i][key]));
  console.log(
    `   ${label}: emulator ${format(ours)}, oauth2-mock-server ${format(theirs)}; ratio ${ratio.toFixed(2)}× ` +
      `(${better} is better; target ${target})`,
  );
}
console.log(
  '     $ node bench/run.mjs  # each round: `node bench/serve.mjs qonto|mock` (import, start, listen on 127.0.0.1:0), ' +
    `${REFRESHES} refresh grants in a row over node:http keep-alive, process.memoryUsage().rss, ` +
    `then ${CONCURRENCY} chains of ${Math.ceil(REFRESHES / CONCURRENCY)} at once; ratio = the median of per-round emulator / oauth2-mock-server`,
);
