import { Auth, type AuthConfig } from '@auth/core';
import type { Adapter, AdapterAccount } from '@auth/core/adapters';
import Credentials from '@auth/core/providers/credentials';
import { UnstorageAdapter } from '@auth/unstorage-adapter';
import {
  MemoryConnectionStore,
  QONTO_REFRESH_TOKEN_LIFETIME_MS,
  QontoApiClient,
  QontoConnections,
  QontoOAuthClient,
} from '@qonto-oauth/core';
import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { completeAuthorization } from '@qonto-oauth/sandbox/testing';
import type { AuthOptions } from 'next-auth';
import CredentialsV4 from 'next-auth/providers/credentials';
import { createStorage } from 'unstorage';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { Qonto, tokenSetFromAccount } from '../src/authjs.js';
import { Qonto as QontoV4 } from '../src/index.js';
import { Browser, overHttp } from './helpers/browser.js';
import { clearQontoEnv } from './helpers/env.js';
import { startNextAuthV4 } from './helpers/nextauth-v4-server.js';

const ORIGIN = 'http://localhost:3000';
const CLIENT = { clientId: 'authjs-link-tests', clientSecret: 'authjs-link-tests-secret' };

let sandbox: QontoSandbox;
beforeAll(async () => {
  sandbox = await startQontoSandbox();
  sandbox.addClient({ ...CLIENT, redirectUris: [`${ORIGIN}/auth/callback/qonto`] });
});
afterAll(() => sandbox.close());
beforeEach(clearQontoEnv);
afterEach(() => {
  vi.unstubAllEnvs();
});

type SignInEvent = { user: { id?: string }; account?: AdapterAccount | null };

/**
 * An Auth.js app whose people sign in with its own login (Credentials, JWT sessions) and keep their users and
 * linked accounts in a real Auth.js database adapter (unstorage, in memory).
 */
async function productApp() {
  const adapter = UnstorageAdapter(createStorage()) as Required<Adapter>;
  const alex = await adapter.createUser({
    id: '',
    email: 'alex@product.example',
    name: 'Alex Product',
    emailVerified: null,
  });
  const signIns: SignInEvent[] = [];
  const config: AuthConfig = {
    secret: 'test-only-session-secret-of-thirty-two+-chars',
    trustHost: true,
    basePath: '/auth',
    adapter,
    session: { strategy: 'jwt' },
    providers: [
      Credentials({
        credentials: { email: {} },
        authorize: async (credentials) => adapter.getUserByEmail(String(credentials.email)),
      }),
      Qonto({ ...CLIENT, environment: sandbox.endpoints, stagingToken: sandbox.stagingToken }),
    ],
    events: {
      signIn: (message) => {
        signIns.push(message as SignInEvent);
      },
    },
  };
  const browser = new Browser(ORIGIN, '/auth', (request) => Auth(request, config));
  return { adapter, alex, signIns, browser };
}

async function csrf(browser: Browser): Promise<string> {
  const response = await browser.request(`${browser.basePath}/csrf`);
  return ((await response.json()) as { csrfToken: string }).csrfToken;
}

async function signInWithOwnLogin(browser: Browser, email: string): Promise<void> {
  const response = await browser.request(`${browser.basePath}/callback/credentials`, {
    method: 'POST',
    form: { csrfToken: await csrf(browser), email, callbackUrl: `${browser.origin}/settings` },
  });
  expect(response.headers.get('location')).toBe(`${browser.origin}/settings`);
}

/** `signIn('qonto', {}, { organization_id })` from a settings page: the authorize URL. */
async function startConnect(browser: Browser, organizationId?: string): Promise<string> {
  const query = organizationId === undefined ? '' : `?organization_id=${organizationId}`;
  const response = await browser.request(`${browser.basePath}/signin/qonto${query}`, {
    method: 'POST',
    form: { csrfToken: await csrf(browser), callbackUrl: `${browser.origin}/settings` },
  });
  expect(response.status).toBe(302);
  return response.headers.get('location') ?? '';
}

describe('Auth.js v5 with a database adapter: Qonto linked to the signed-in user', () => {
  it("links the organization's membership to the app user and keeps the session's user", async () => {
    const { adapter, alex, signIns, browser } = await productApp();
    await signInWithOwnLogin(browser, alex.email);
    const member = sandbox.users[1]!;

    const landing = await browser.callback(await completeAuthorization(await startConnect(browser), member));

    expect(landing.headers.get('location')).toBe(`${ORIGIN}/settings`);
    expect(await browser.session()).toMatchObject({ user: { email: alex.email, name: alex.name } });
    const event = signIns.find((e) => e.account?.provider === 'qonto')!;
    expect(event.user.id).toBe(alex.id);
    const membershipId = event.account!.providerAccountId;
    expect(
      await adapter.getUserByAccount({ provider: 'qonto', providerAccountId: membershipId }),
    ).toMatchObject({
      id: alex.id,
      email: alex.email,
    });
    // No second user was made from the Qonto member.
    expect(await adapter.getUserByEmail(member.email)).toBeNull();
    // What the README's events.signIn hands core: tokens that work for this organization.
    const tokens = tokenSetFromAccount(event.account!);
    expect(tokens).toMatchObject({ tokenType: 'bearer', refreshToken: expect.any(String) });
    expect(tokens.expiresAt).toBeGreaterThan(Date.now() + 3_500_000);
    const api = new QontoApiClient({
      environment: sandbox.endpoints,
      stagingToken: sandbox.stagingToken,
      tokens: tokens.accessToken,
    });
    expect((await api.getOrganization()).id).toBe(member.organizations[0]!.id);
  });

  it('links a second organization through organization_id, and a reconnect reaches events.signIn with new tokens', async () => {
    const { adapter, alex, signIns, browser } = await productApp();
    await signInWithOwnLogin(browser, alex.email);
    const owner = sandbox.users[0]!;
    const [first, second] = owner.organizations;
    const connect = async (organizationId: string) => {
      const authorize = new URL(await startConnect(browser, organizationId));
      // Passed on to Qonto, which then shows no organization picker (completeAuthorization would throw).
      expect(authorize.searchParams.get('organization_id')).toBe(organizationId);
      await browser.callback(await completeAuthorization(authorize.href, owner));
      return signIns.at(-1)!.account!;
    };

    const firstAccount = await connect(first!.id);
    const secondAccount = await connect(second!.id);
    expect(secondAccount.providerAccountId).not.toBe(firstAccount.providerAccountId);
    for (const account of [firstAccount, secondAccount]) {
      expect(await adapter.getUserByAccount(account)).toMatchObject({ id: alex.id });
    }

    // Auth.js keeps the first link's account row as it was; events.signIn sees the reconnect's tokens.
    const again = await connect(first!.id);
    expect(again.providerAccountId).toBe(firstAccount.providerAccountId);
    expect(again.refresh_token).not.toBe(firstAccount.refresh_token);
    expect(signIns.at(-1)!.user.id).toBe(alex.id);
    expect(await browser.session()).toMatchObject({ user: { email: alex.email } });
  });
});

describe('NextAuth v4 with a database adapter: Qonto linked to the signed-in user', () => {
  it("links the membership to the app user, keeps the session's user, and hands events.signIn the tokens", async () => {
    const adapter = UnstorageAdapter(createStorage()) as Required<Adapter>;
    const alex = await adapter.createUser({
      id: '',
      email: 'alex@v4.example',
      name: 'Alex',
      emailVerified: null,
    });
    const signIns: SignInEvent[] = [];
    const server = await startNextAuthV4(() => ({
      secret: 'test-only-session-secret-of-thirty-two+-chars',
      adapter: adapter as unknown as AuthOptions['adapter'],
      session: { strategy: 'jwt' },
      providers: [
        CredentialsV4({
          credentials: { email: {} },
          authorize: async (credentials) => adapter.getUserByEmail(String(credentials?.email)),
        }),
        QontoV4({ ...CLIENT, environment: sandbox.endpoints, stagingToken: sandbox.stagingToken }),
      ],
      events: {
        signIn: (message) => {
          signIns.push(message as unknown as SignInEvent);
        },
      },
    }));
    try {
      vi.stubEnv('NEXTAUTH_URL', `${server.origin}/api/auth`);
      sandbox.addClient({ ...CLIENT, redirectUris: [`${server.origin}/api/auth/callback/qonto`] });
      const browser = new Browser(server.origin, '/api/auth', overHttp);
      await signInWithOwnLogin(browser, alex.email);
      const owner = sandbox.users[0]!;
      const chosen = owner.organizations[1]!;

      const authorize = new URL(await startConnect(browser, chosen.id));
      expect(authorize.searchParams.get('organization_id')).toBe(chosen.id);
      const landing = await browser.callback(await completeAuthorization(authorize.href, owner));

      expect(landing.headers.get('location')).toBe(`${server.origin}/settings`);
      expect(await browser.session()).toMatchObject({ user: { email: alex.email } });
      const event = signIns.find((e) => e.account?.provider === 'qonto')!;
      expect(await adapter.getUserByAccount(event.account!)).toMatchObject({ id: alex.id });
      const api = new QontoApiClient({
        environment: sandbox.endpoints,
        stagingToken: sandbox.stagingToken,
        tokens: tokenSetFromAccount(event.account!).accessToken,
      });
      expect((await api.getOrganization()).id).toBe(chosen.id);
    } finally {
      await server.close();
    }
  });
});

describe("JWT sessions without an adapter: the README's two route handlers over core's connections", () => {
  const CONNECT = { clientId: 'authjs-connect-tests', clientSecret: 'authjs-connect-tests-secret' };
  const redirectUri = `${ORIGIN}/connect/qonto/callback`;

  function productApp() {
    sandbox.addClient({ ...CONNECT, redirectUris: [redirectUri] });
    const connections = new QontoConnections({
      client: new QontoOAuthClient({
        ...CONNECT,
        environment: sandbox.endpoints,
        stagingToken: sandbox.stagingToken,
        redirectUri,
      }),
      store: new MemoryConnectionStore(),
    });
    const config: AuthConfig = {
      secret: 'test-only-session-secret-of-thirty-two+-chars',
      trustHost: true,
      basePath: '/auth',
      providers: [
        Credentials({
          credentials: { email: {} },
          authorize: ({ email }) => ({ id: `user-of-${String(email)}`, email: String(email) }),
        }),
      ],
      callbacks: {
        session: ({ session, token }) => ({ ...session, user: { ...session.user, id: token.sub } }),
      },
    };
    /** What next-auth's `auth()` gives a route handler: the session of the request's cookie. */
    const auth = async (request: Request) => {
      const cookie = request.headers.get('cookie') ?? '';
      const response = await Auth(new Request(`${ORIGIN}/auth/session`, { headers: { cookie } }), config);
      return (await response.json()) as { user?: { id?: string } } | null;
    };
    const routes: Record<string, (request: Request) => Promise<Response>> = {
      '/connect/qonto': async (request) => {
        const session = await auth(request);
        if (!session?.user?.id) return Response.redirect(new URL('/login', request.url));
        const organizationId = new URL(request.url).searchParams.get('organization_id') ?? undefined;
        const { url } = await connections.start(session.user.id, organizationId ? { organizationId } : {});
        return Response.redirect(url);
      },
      '/connect/qonto/callback': async (request) => {
        const session = await auth(request);
        if (!session?.user?.id) return Response.redirect(new URL('/login', request.url));
        try {
          await connections.complete(session.user.id, new URL(request.url));
          return Response.redirect(new URL('/settings', request.url));
        } catch {
          return Response.redirect(new URL('/settings?qonto=failed', request.url));
        }
      },
    };
    const browser = () =>
      new Browser(ORIGIN, '/auth', (request) => {
        const route = routes[new URL(request.url).pathname];
        return route ? route(request) : Auth(request, config);
      });
    return { connections, browser };
  }

  it('connects an organization to the signed-in user without touching the session', async () => {
    const { connections, browser: open } = productApp();
    const browser = open();
    await signInWithOwnLogin(browser, 'alex@product.example');
    const owner = sandbox.users[0]!;
    const chosen = owner.organizations[1]!;

    const start = await browser.request(`/connect/qonto?organization_id=${chosen.id}`);
    expect(start.status).toBe(302);
    const landing = await browser.callback(
      await completeAuthorization(start.headers.get('location')!, owner),
    );

    expect(landing.headers.get('location')).toBe(`${ORIGIN}/settings`);
    expect(await connections.list('user-of-alex@product.example')).toEqual([
      expect.objectContaining({ organizationId: chosen.id, status: 'active' }),
    ]);
    expect(await browser.session()).toMatchObject({ user: { email: 'alex@product.example' } });
  });

  it("refuses a callback opened in another user's session, connecting nobody", async () => {
    const { connections, browser: open } = productApp();
    const alex = open();
    await signInWithOwnLogin(alex, 'alex@product.example');
    const start = await alex.request('/connect/qonto');
    const callback = await completeAuthorization(start.headers.get('location')!, sandbox.users[1]!);

    const mallory = open();
    await signInWithOwnLogin(mallory, 'mallory@product.example');
    const landing = await mallory.callback(callback);

    expect(landing.headers.get('location')).toBe(`${ORIGIN}/settings?qonto=failed`);
    expect(await connections.list('user-of-mallory@product.example')).toEqual([]);
    expect(await connections.list('user-of-alex@product.example')).toEqual([]);
  });
});

describe('tokenSetFromAccount', () => {
  it("turns Auth.js's account (expires_at in seconds) into core's TokenSet", () => {
    const now = () => 1_800_000_000_000;
    expect(
      tokenSetFromAccount(
        {
          access_token: 'at',
          refresh_token: 'rt',
          expires_at: 1_800_003_600,
          scope: 'openid organization.read',
          token_type: 'bearer',
        },
        now,
      ),
    ).toEqual({
      accessToken: 'at',
      refreshToken: 'rt',
      tokenType: 'bearer',
      scopes: ['openid', 'organization.read'],
      expiresAt: 1_800_003_600_000,
      // The account of a sign-in or link carries a refresh token just issued: Qonto's 90 days start now.
      refreshTokenExpiresAt: 1_800_000_000_000 + QONTO_REFRESH_TOKEN_LIFETIME_MS,
    });
  });

  it('refuses an account without expires_at, saying what to pass, and never shows a token', () => {
    const missing = () => tokenSetFromAccount({ access_token: 'secret-access-token' });
    expect(missing).toThrow(/needs expires_at .* got none: pass the `account`/);
    expect(missing).toThrow(expect.objectContaining({ code: 'config' }));
    expect(missing).not.toThrow(/secret-access-token/);
  });
});
