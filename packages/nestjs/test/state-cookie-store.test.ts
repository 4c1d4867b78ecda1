import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { QONTO_STATE_COOKIE_NAME, QontoStateCookieStore } from '@qonto-oauth/nestjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiesOf } from './helpers/http.js';

const SECRET = 'a-state-secret-of-at-least-32-characters';
let now = 1_750_000_000_000;
const store = new QontoStateCookieStore({
  secret: SECRET,
  path: '/auth/qonto/callback',
  secure: false,
  now: () => now,
});

type Outcome = { ok?: string | boolean; info?: unknown; handle?: string; error?: string };

/** A plain node:http server that calls the store the way passport-oauth2 does, with `req.res` set as Express sets it. */
const server = createServer((req: IncomingMessage & { res?: ServerResponse }, res) => {
  req.res = res;
  const url = new URL(req.url ?? '/', 'http://x');
  const reply = (outcome: Outcome) =>
    res.setHeader('content-type', 'application/json').end(JSON.stringify(outcome));
  if (url.pathname === '/store') {
    store.store(req, 'the-pkce-verifier', undefined, {}, (error, handle) =>
      reply(error ? { error: error.message } : { handle: handle as string }),
    );
  } else {
    store.verify(req, url.searchParams.get('state') ?? undefined, {}, (error, ok, info) =>
      reply(error ? { error: error.message } : { ok: ok as string | boolean, info }),
    );
  }
});
let origin = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function startLogin(): Promise<{ state: string; cookie: string; setCookie: string }> {
  const response = await fetch(`${origin}/store`);
  const { handle } = (await response.json()) as Outcome;
  return {
    state: handle as string,
    cookie: cookiesOf(response),
    setCookie: response.headers.getSetCookie()[0] ?? '',
  };
}

async function callback(
  state: string | undefined,
  cookie: string,
): Promise<{ outcome: Outcome; response: Response }> {
  const query = state === undefined ? '' : `?state=${encodeURIComponent(state)}`;
  const response = await fetch(`${origin}/callback${query}`, { headers: cookie ? { cookie } : {} });
  return { outcome: (await response.json()) as Outcome, response };
}

describe('QontoStateCookieStore', () => {
  it('has the arities passport-oauth2 needs to pass the PKCE verifier (store 5, verify 4)', () => {
    expect(store.store.length).toBe(5);
    expect(store.verify.length).toBe(4);
  });

  it('sets an HttpOnly, SameSite=Lax, short-lived cookie scoped to the callback path', async () => {
    const { state, setCookie } = await startLogin();
    expect(state.length).toBeGreaterThanOrEqual(32);
    expect(setCookie).toMatch(new RegExp(`^${QONTO_STATE_COOKIE_NAME}=[A-Za-z0-9_-]+; `));
    expect(setCookie).toContain('Path=/auth/qonto/callback');
    expect(setCookie).toContain('HttpOnly');
    expect(setCookie).toContain('SameSite=Lax');
    expect(setCookie).toContain('Max-Age=600');
    expect(setCookie).not.toContain('Secure');
  });

  it('keeps the state and the code verifier unreadable in the cookie', async () => {
    const { state, cookie } = await startLogin();
    const value = decodeURIComponent(cookie.split('=')[1] ?? '');
    expect(Buffer.from(value, 'base64url').toString('latin1')).not.toContain('the-pkce-verifier');
    expect(Buffer.from(value, 'base64url').toString('latin1')).not.toContain(state);
  });

  it('hands the code verifier back for the matching state, and clears the cookie', async () => {
    const { state, cookie } = await startLogin();
    const { outcome, response } = await callback(state, cookie);
    expect(outcome).toEqual({ ok: 'the-pkce-verifier' });
    expect(response.headers.getSetCookie()[0]).toMatch(
      new RegExp(`^${QONTO_STATE_COOKIE_NAME}=; Max-Age=0; Path=/auth/qonto/callback`),
    );
  });

  it('refuses a different state', async () => {
    const { cookie } = await startLogin();
    const { outcome } = await callback('another-state', cookie);
    expect(outcome.ok).toBe(false);
    expect(outcome.info).toEqual({ message: expect.stringMatching(/state does not match/) });
  });

  it('refuses a callback without state', async () => {
    const { cookie } = await startLogin();
    const { outcome } = await callback(undefined, cookie);
    expect(outcome.info).toEqual({ message: expect.stringMatching(/no state parameter/) });
  });

  it('refuses a callback without the cookie', async () => {
    const { state } = await startLogin();
    const { outcome } = await callback(state, '');
    expect(outcome.info).toEqual({ message: expect.stringMatching(/login cookie is missing/) });
  });

  it('refuses a tampered cookie', async () => {
    const { state, cookie } = await startLogin();
    const [name, value = ''] = cookie.split('=');
    const flipped = `${value.slice(0, 20)}${value[20] === 'A' ? 'B' : 'A'}${value.slice(21)}`;
    const { outcome } = await callback(state, `${name}=${flipped}`);
    expect(outcome.info).toEqual({ message: expect.stringMatching(/failed its integrity check/) });
  });

  it('refuses a cookie sealed with another secret', async () => {
    const other = new QontoStateCookieStore({ secret: `${SECRET}-other`, path: '/', secure: false });
    const stored = await new Promise<{ handle: string; cookie: string }>((resolve) => {
      const headers: string[] = [];
      const res = {
        getHeader: () => headers,
        setHeader: (_: string, v: string[]) => headers.splice(0, 9, ...v),
      };
      other.store({ res } as never, 'v', undefined, {}, (_e, handle) =>
        resolve({ handle: handle as string, cookie: (headers[0] ?? '').split(';')[0] ?? '' }),
      );
    });
    const { outcome } = await callback(stored.handle, stored.cookie);
    expect(outcome.info).toEqual({ message: expect.stringMatching(/failed its integrity check/) });
  });

  it('refuses a login older than 10 minutes even if the browser still sends the cookie', async () => {
    const { state, cookie } = await startLogin();
    now += 600_001;
    const { outcome } = await callback(state, cookie);
    expect(outcome.info).toEqual({ message: expect.stringMatching(/expired/) });
  });

  it('marks the cookie Secure when the callback URL is https', async () => {
    const secure = new QontoStateCookieStore({ secret: SECRET, path: '/cb', secure: true });
    const headers: string[] = [];
    const res = {
      getHeader: () => headers,
      setHeader: (_: string, v: string[]) => headers.splice(0, 9, ...v),
    };
    secure.store({ res } as never, undefined, undefined, {}, () => {});
    expect(headers[0]).toMatch(/; Secure$/);
  });

  it('explains that it needs req.res, which QontoAuthGuard provides on Express and Fastify', () => {
    let message = '';
    store.store({ headers: {} } as never, undefined, undefined, {}, (error) => {
      message = error?.message ?? '';
    });
    expect(message).toMatch(/req\.res.*QontoAuthGuard.*Express or Fastify/);
  });
});
