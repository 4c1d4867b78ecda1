import { fork } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createQontoFetch,
  DEFAULT_MAX_API_RESPONSE_BYTES,
  MAX_TOKEN_RESPONSE_BYTES,
  QontoApiClient,
  QontoConfigError,
  QontoOAuthClient,
  QontoUnexpectedResponseError,
  sandboxEndpointsAt,
} from '../src/index.js';
import { type Loopback, startLoopback } from './helpers/loopback.js';

const MiB = 1024 * 1024;
const STREAMED = 400 * MiB;
/** What socket buffers may hold beyond what the client read before it stopped: far below what was offered. */
const BUFFER_SLACK = 16 * MiB;

/** A stream the server offers, and what it managed to write before the client hung up. */
interface Offer {
  /** Bytes written when the connection closed. */
  closed: Promise<number>;
}

let server: Loopback;
let respond: (res: ServerResponse) => Offer | undefined = () => undefined;
let lastOffer: Offer | undefined;
beforeAll(async () => {
  server = await startLoopback((_req, res) => {
    lastOffer = respond(res);
  });
});
afterAll(() => server.close());

/**
 * Streams `total` bytes of a JSON string, honouring backpressure (so only what the client reads leaves the
 * server), without a Content-Length unless `declare` says so.
 */
function stream(res: ServerResponse, total: number, o: { declare?: number; status?: number } = {}): Offer {
  const headers: Record<string, string | number> = { 'content-type': 'application/json' };
  if (o.declare !== undefined) headers['content-length'] = o.declare;
  res.writeHead(o.status ?? 200, headers);
  const chunk = Buffer.alloc(64 * 1024, 'a');
  let sent = 0;
  const closed = new Promise<number>((resolve) => res.once('close', () => resolve(sent)));
  const pump = () => {
    if (sent === 0) {
      res.write('{"access_token":"');
      sent += 17;
    }
    while (sent < total && !res.destroyed) {
      sent += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    if (!res.destroyed) res.end('"}');
  };
  pump();
  return { closed };
}

const production = () => ({ ...sandboxEndpointsAt(server.url), requiresStagingToken: false });
const oauth = () =>
  new QontoOAuthClient({
    environment: production(),
    clientId: 'client-1',
    clientSecret: 'client-secret-value',
    redirectUri: 'http://127.0.0.1/callback',
  });
const api = (o: { maxResponseBytes?: number } = {}) =>
  new QontoApiClient({ environment: production(), tokens: 'access-token-value', retry: false, ...o });

async function refusal(promise: Promise<unknown>): Promise<QontoUnexpectedResponseError> {
  const error = await promise.then(
    () => new Error('the call succeeded'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(QontoUnexpectedResponseError);
  return error as QontoUnexpectedResponseError;
}

describe('the token endpoint', () => {
  it('refuses an answer over 1 MiB while it streams, naming the cap, and releases the connection', async () => {
    respond = (res) => stream(res, STREAMED);
    const error = await refusal(oauth().exchangeCode({ code: 'a-code-value' }));
    expect(error.message).toContain('larger than 1 MiB (1048576 bytes)');
    expect(error.status).toBe(200);
    const written = await lastOffer!.closed;
    expect(written).toBeLessThan(MAX_TOKEN_RESPONSE_BYTES + BUFFER_SLACK);
  });

  it('refuses a declared Content-Length over the cap before reading the body', async () => {
    respond = (res) => stream(res, 2 * MiB, { declare: 2 * MiB + 19 });
    const error = await refusal(oauth().refresh('a-refresh-token'));
    expect(error.message).toContain('1 MiB');
    await lastOffer!.closed;
  });

  it('reads an answer just under the cap', async () => {
    respond = (res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const token = 'a'.repeat(MAX_TOKEN_RESPONSE_BYTES - 100);
      res.end(JSON.stringify({ access_token: token, token_type: 'bearer', expires_in: 3600 }));
      return undefined;
    };
    const tokens = await oauth().exchangeCode({ code: 'a-code-value' });
    expect(tokens.accessToken).toHaveLength(MAX_TOKEN_RESPONSE_BYTES - 100);
  });
});

describe('the Business API', () => {
  it(`refuses an answer over ${DEFAULT_MAX_API_RESPONSE_BYTES / MiB} MiB by default, naming the option`, async () => {
    respond = (res) => stream(res, STREAMED);
    const error = await refusal(api().get('/v2/transactions'));
    expect(error.message).toContain('larger than 8 MiB');
    expect(error.message).toContain('raise maxResponseBytes');
    expect(await lastOffer!.closed).toBeLessThan(DEFAULT_MAX_API_RESPONSE_BYTES + BUFFER_SLACK);
  });

  it('refuses an error answer over the cap too', async () => {
    respond = (res) => stream(res, STREAMED, { status: 500 });
    const error = await refusal(api({ maxResponseBytes: MiB }).get('/v2/transactions'));
    expect(error).toMatchObject({ status: 500 });
    expect(await lastOffer!.closed).toBeLessThan(MiB + BUFFER_SLACK);
  });

  it('reads a larger answer when maxResponseBytes is raised', async () => {
    respond = (res) => stream(res, 10 * MiB);
    const body = await api({ maxResponseBytes: 12 * MiB }).get<{ access_token: string }>('/v2/statements');
    expect(body.access_token.length).toBeGreaterThan(10 * MiB - 100);
  });

  it.each([0, -1, 1.5, Number.NaN, '8MB'])('refuses maxResponseBytes %s at construction', (value) => {
    expect(() => api({ maxResponseBytes: value as number })).toThrow(QontoConfigError);
  });

  it('leaves answers from other origins to the fetch wrapper untouched, whatever their size', async () => {
    const elsewhere = await startLoopback((_req, res) => {
      stream(res, 12 * MiB);
    });
    try {
      const qontoFetch = createQontoFetch({ environment: production() });
      const response = await qontoFetch(`${elsewhere.url}/presigned/statement.pdf`);
      expect((await response.arrayBuffer()).byteLength).toBeGreaterThan(12 * MiB);
    } finally {
      await elsewhere.close();
    }
  });
});

describe('memory', () => {
  it('stays flat while a server streams 400 MB at the token endpoint and the API (measured in a child process)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qonto-core-memory-'));
    try {
      // The client runs in its own process, from a bundle of core's sources, so its memory is measured alone.
      await build({
        entryPoints: [fileURLToPath(new URL('../src/index.ts', import.meta.url))],
        bundle: true,
        format: 'esm',
        platform: 'node',
        outfile: join(dir, 'core.mjs'),
        logLevel: 'silent',
      });
      await writeFile(join(dir, 'child.mjs'), CHILD);
      respond = (res) => stream(res, STREAMED);
      const child = fork(join(dir, 'child.mjs'), [server.url], {
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      const [report] = (await once(child, 'message')) as [ChildReport];
      await once(child, 'exit');
      expect(report.codes).toEqual(['unexpected_response', 'unexpected_response']);
      // Buffering the stream would take 400 MB. With the caps the client holds at most the 8 MiB it read (measured:
      // about 55 MB of RSS and 20 MB of heap, socket buffers and uncollected chunks included); the bounds leave
      // room for a loaded machine's garbage collector and still sit far below the stream.
      expect(report.rssGrowthBytes).toBeLessThan(160 * MiB);
      expect(report.heapGrowthBytes).toBeLessThan(96 * MiB);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

interface ChildReport {
  codes: string[];
  rssGrowthBytes: number;
  heapGrowthBytes: number;
}

const CHILD = `
import { QontoApiClient, QontoOAuthClient, sandboxEndpointsAt } from './core.mjs';
const environment = { ...sandboxEndpointsAt(process.argv[2]), requiresStagingToken: false };
const before = process.memoryUsage();
let peakRss = before.rss;
let peakHeap = before.heapUsed + before.arrayBuffers;
const sample = () => {
  const now = process.memoryUsage();
  peakRss = Math.max(peakRss, now.rss);
  peakHeap = Math.max(peakHeap, now.heapUsed + now.arrayBuffers);
};
const timer = setInterval(sample, 2);
const oauth = new QontoOAuthClient({ environment, clientId: 'c', clientSecret: 'client-secret', redirectUri: 'http://127.0.0.1/cb' });
const api = new QontoApiClient({ environment, tokens: 'access-token', retry: false });
const codes = [];
for (const call of [() => oauth.exchangeCode({ code: 'a-code-value' }), () => api.get('/v2/transactions')]) {
  codes.push(await call().then(() => 'no error', (error) => error.code));
  sample();
}
clearInterval(timer);
process.send(
  { codes, rssGrowthBytes: peakRss - before.rss, heapGrowthBytes: peakHeap - before.heapUsed - before.arrayBuffers },
  () => process.disconnect(),
);
`;
