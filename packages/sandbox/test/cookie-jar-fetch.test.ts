import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCookieJarFetch } from '../src/testing.js';

// An app on loopback that sets, reads and clears cookies the ways frameworks do.
let server: Server;
let origin: string;
const seen: (string | undefined)[] = [];
beforeAll(async () => {
  server = createServer((req: IncomingMessage, res) => {
    seen.push(req.headers.cookie);
    const past = 'Thu, 01 Jan 1970 00:00:00 GMT';
    const routes: Record<string, string[]> = {
      '/login': ['session=abc; Path=/; HttpOnly; SameSite=Lax', 'state=xyz; Max-Age=600'],
      '/rotate': ['session=def; Path=/; HttpOnly'],
      '/forget-state': ['state=; Max-Age=0'],
      '/logout': [`session=gone; Expires=${past}; Path=/`],
    };
    res.setHeader('set-cookie', routes[req.url ?? ''] ?? []);
    if (req.url === '/login') res.writeHead(302, { location: '/home' });
    res.end('ok');
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => server.close());

describe('createCookieJarFetch', () => {
  it('keeps cookies like a browser, sends them back, and shows every redirect', async () => {
    const browse = createCookieJarFetch();
    const login = await browse(`${origin}/login`);
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toBe('/home');
    expect(browse.cookies.get('session')).toEqual({
      value: 'abc',
      attributes: '; Path=/; HttpOnly; SameSite=Lax',
    });

    await browse(new URL('/home', origin), { headers: { accept: 'text/html' } });
    expect(seen.at(-1)).toBe('session=abc; state=xyz');

    await browse(`${origin}/rotate`);
    expect(browse.cookies.get('session')?.value).toBe('def');
    await browse(`${origin}/forget-state`);
    expect([...browse.cookies.keys()]).toEqual(['session']);
    await browse(`${origin}/logout`);
    expect(browse.cookies.size).toBe(0);
    await browse(`${origin}/home`);
    expect(seen.at(-1)).toBeUndefined();
  });

  it('gives each jar its own cookies, and lets a test delete one', async () => {
    const first = createCookieJarFetch();
    const second = createCookieJarFetch();
    await first(`${origin}/login`);
    expect(second.cookies.size).toBe(0);
    first.cookies.delete('state');
    await first(`${origin}/home`);
    expect(seen.at(-1)).toBe('session=abc');
  });
});
