import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { AuthOptions } from 'next-auth';

// next-auth v4 is CommonJS; its API-route handler is `require('next-auth').default`.
const { default: NextAuth } = createRequire(import.meta.url)('next-auth') as {
  default: (req: unknown, res: unknown, options: AuthOptions) => Promise<unknown>;
};

export interface NextAuthV4Server {
  /** e.g. `http://127.0.0.1:54321` */
  origin: string;
  close(): Promise<void>;
}

/**
 * Serves next-auth v4's API-route handler (`pages/api/auth/[...nextauth].ts`) over node:http, giving it the
 * request shape Next's API routes give: `query` with the `nextauth` catch-all segments, a parsed form or JSON
 * `body`, parsed `cookies`, and `res.status/json/send`.
 */
export async function startNextAuthV4(options: (origin: string) => AuthOptions): Promise<NextAuthV4Server> {
  let authOptions: AuthOptions | undefined;
  const server = createServer((req, res) => {
    handle(req, res, authOptions!).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  authOptions = options(origin);
  return {
    origin,
    close: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, options: AuthOptions): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://internal');
  const prefix = '/api/auth/';
  if (!url.pathname.startsWith(prefix)) {
    res.statusCode = 404;
    res.end('not found');
    return;
  }
  const nextauth = url.pathname.slice(prefix.length).split('/').filter(Boolean);
  const apiReq = Object.assign(req, {
    query: { ...Object.fromEntries(url.searchParams), nextauth },
    body: await readBody(req),
    cookies: parseCookies(req.headers.cookie),
  });
  const apiRes = Object.assign(res, {
    status(code: number) {
      res.statusCode = code;
      return apiRes;
    },
    json(value: unknown) {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify(value));
    },
    send(value: unknown) {
      if (typeof value === 'object' && value !== null) return apiRes.json(value);
      res.end(value === undefined ? undefined : String(value));
    },
  });
  await NextAuth(apiReq, apiRes, options);
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return {};
  const type = req.headers['content-type'] ?? '';
  if (type.includes('application/json')) return JSON.parse(text);
  return Object.fromEntries(new URLSearchParams(text));
}

function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) cookies[part.slice(0, eq).trim()] = decodeURIComponent(part.slice(eq + 1).trim());
  }
  return cookies;
}
