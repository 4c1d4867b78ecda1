import { getQontoApi, type QontoAccount, type QontoOptions } from '@qonto-oauth/better-auth';
import type { QontoApiClient, QontoBankAccount, QontoMembership, QontoOrganization } from '@qonto-oauth/core';
import { type Context, Hono } from 'hono';
import { csrf } from 'hono/csrf';
import { html } from 'hono/html';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { type Auth, type AuthConfig, createAuth } from './auth.js';
import { connectFailure } from './connect-failures.js';
import { pageForError, reconnectRequired } from './errors.js';
import {
  accountPage,
  type ConnectedOrganization,
  errorPage,
  homePage,
  notConnectedPage,
  reconnectPage,
  type TransactionRow,
} from './views.js';

/** Everything {@link createApp} needs: Better Auth's side of it ({@link AuthConfig}). */
export type AppConfig = AuthConfig;

/** The app, its auth instance and its database: `fetch` serves requests, `close` closes the database. */
export interface App {
  fetch: (request: Request) => Response | Promise<Response>;
  auth: Auth;
  close(): void;
}

/** Where Better Auth sends the browser back: the account page, or the page that says why not. */
const CALLBACK_URL = '/account';
const ERROR_CALLBACK_URL = '/connect-failed';

/** A 303 to `location` carrying the cookies Better Auth set on `from` (the OAuth state, a cleared session). */
function redirectWithCookies(from: Response, location: string): Response {
  const headers = new Headers({ location });
  for (const cookie of from.headers.getSetCookie()) headers.append('set-cookie', cookie);
  return new Response(null, { status: 303, headers });
}

/** The authorize URL from Better Auth's answer to `sign-in/social` or `link-social`, or its error. */
async function authorizeUrlOf(answer: Response): Promise<string> {
  const body = (await answer.json().catch(() => ({}))) as {
    url?: unknown;
    message?: unknown;
    code?: unknown;
  };
  if (answer.ok && typeof body.url === 'string') return body.url;
  throw new HTTPException(answer.status === 401 ? 401 : 502, {
    message: typeof body.message === 'string' ? body.message : `Better Auth answered ${answer.status}.`,
  });
}

function environmentLabel(qonto: QontoOptions): string {
  if (qonto.environment === undefined) return qonto.env?.QONTO_ENV ?? 'sandbox';
  return typeof qonto.environment === 'string'
    ? qonto.environment
    : `custom (${qonto.environment.apiBaseUrl})`;
}

/** The 10 latest transactions of `account`, newest first. */
async function latestTransactions(api: QontoApiClient, account: QontoBankAccount | undefined) {
  if (!account) return [];
  const page = await api.get<{ transactions?: TransactionRow[] }>('/v2/transactions', {
    bank_account_id: account.id,
    per_page: 10,
  });
  return (page.transactions ?? []).slice(0, 10);
}

/**
 * The Hono app on Better Auth: Better Auth's routes under `/api/auth/*` (its handler takes the Web `Request`
 * Hono already has), the home page, the account page of each connected organization, and the four POST actions
 * (connect, connect another organization, refresh, disconnect), each refused when it comes from another site.
 * Opens the database and runs Better Auth's migrations first. Does not listen: `server.ts` does.
 */
export async function createApp(config: AppConfig): Promise<App> {
  const { auth, database } = await createAuth(config);
  const origin = new URL(config.baseURL).origin;
  const app = new Hono();

  app.on(['GET', 'POST'], '/api/auth/*', (c) => auth.handler(c.req.raw));

  // Forms of other sites are refused (Origin, or Sec-Fetch-Site, must be this app's); Better Auth's own routes
  // check the origin themselves.
  const sameOrigin = csrf({ origin });

  /** The signed-in user's Qonto accounts, newest first; `undefined` without a session. */
  async function qontoAccounts(c: Context): Promise<QontoAccount[] | undefined> {
    const headers = c.req.raw.headers;
    const session = await auth.api.getSession({ headers });
    if (!session) return undefined;
    const [accounts, rows] = await Promise.all([
      auth.api.listQontoAccounts({ headers }),
      auth.api.listUserAccounts({ headers }),
    ]);
    const createdAt = new Map(rows.map((row) => [row.id, new Date(row.createdAt).getTime()]));
    return [...accounts].sort((a, b) => (createdAt.get(b.id) ?? 0) - (createdAt.get(a.id) ?? 0));
  }

  app.get('/', async (c) => {
    const accounts = await qontoAccounts(c);
    if (accounts && accounts.length > 0) return c.redirect('/account');
    const notice =
      c.req.query('disconnected') === '1' ? 'Disconnected: the consent was revoked at Qonto.' : undefined;
    return c.html(
      html`<!doctype html>${homePage({ notice, environmentLabel: environmentLabel(config.qonto) })}`,
    );
  });

  app.post('/connect', sameOrigin, async (c) => {
    const answer = await auth.api.signInSocial({
      headers: c.req.raw.headers,
      body: { provider: 'qonto', callbackURL: CALLBACK_URL, errorCallbackURL: ERROR_CALLBACK_URL },
      asResponse: true,
    });
    return redirectWithCookies(answer, await authorizeUrlOf(answer));
  });

  // Better Auth's account linking: the organization picked on Qonto becomes one more `qonto` account of this user.
  app.post('/connect-another', sameOrigin, async (c) => {
    if (!(await qontoAccounts(c))) return c.redirect('/', 303);
    const answer = await auth.api.linkSocialAccount({
      headers: c.req.raw.headers,
      body: { provider: 'qonto', callbackURL: CALLBACK_URL, errorCallbackURL: ERROR_CALLBACK_URL },
      asResponse: true,
    });
    return redirectWithCookies(answer, await authorizeUrlOf(answer));
  });

  app.get('/connect-failed', (c) => {
    const failure = connectFailure(c.req.query('error'));
    return c.html(html`<!doctype html>${notConnectedPage(failure)}`, failure.status as ContentfulStatusCode);
  });

  app.get('/account', async (c) => {
    const accounts = await qontoAccounts(c);
    if (!accounts || accounts.length === 0) return c.redirect('/');
    const headers = c.req.raw.headers;
    const selected = accounts.find((a) => a.id === c.req.query('account')) ?? accounts[0]!;
    const connected: ConnectedOrganization[] = accounts.map((a) => ({
      accountId: a.id,
      name: a.organization?.legalName ?? a.organization?.slug ?? a.membershipId,
    }));
    const api = await getQontoApi(auth, { headers, accountId: selected.id });
    let member: QontoMembership;
    let organization: QontoOrganization;
    let token: { accessTokenExpiresAt?: Date | string | undefined };
    try {
      [member, organization, token] = await Promise.all([
        api.getMembership(),
        api.getOrganization(),
        auth.api.getAccessToken({ headers, body: { accountId: selected.id } }),
      ]);
    } catch (error) {
      if (!reconnectRequired(error)) throw error;
      return c.html(html`<!doctype html>${reconnectPage({ connected, selected: selected.id })}`, 401);
    }
    const bankAccounts = organization.bank_accounts ?? [];
    const mainAccount = bankAccounts.find((a) => a.main) ?? bankAccounts[0];
    const notice =
      c.req.query('disconnected') === '1' ? 'Disconnected: the consent was revoked at Qonto.' : undefined;
    return c.html(
      html`<!doctype html>${accountPage({
        member,
        organization,
        mainAccount,
        transactions: await latestTransactions(api, mainAccount),
        expiresAt: token.accessTokenExpiresAt ? new Date(token.accessTokenExpiresAt).getTime() : undefined,
        connected,
        selected: selected.id,
        notice,
      })}`,
    );
  });

  /** The `accountId` field of a posted form, checked to be one of the signed-in user's Qonto accounts. */
  async function postedAccount(c: Context): Promise<{ id: string; all: QontoAccount[] } | undefined> {
    const accounts = await qontoAccounts(c);
    if (!accounts) return undefined;
    const form = await c.req.parseBody();
    const account = accounts.find((a) => a.id === form.accountId);
    if (!account) {
      throw new HTTPException(404, {
        message:
          'That Qonto organization is not connected to your account (any more). Open the account page again.',
      });
    }
    return { id: account.id, all: accounts };
  }

  app.post('/refresh', sameOrigin, async (c) => {
    const account = await postedAccount(c);
    if (!account) return c.redirect('/', 303);
    await auth.api.refreshToken({ headers: c.req.raw.headers, body: { accountId: account.id } });
    return c.redirect(`/account?account=${encodeURIComponent(account.id)}`, 303);
  });

  app.post('/disconnect', sameOrigin, async (c) => {
    const account = await postedAccount(c);
    if (!account) return c.redirect('/', 303);
    const headers = c.req.raw.headers;
    await auth.api.disconnectQonto({ headers, body: { accountId: account.id } });
    if (account.all.length > 1) return c.redirect('/account?disconnected=1', 303);
    // Qonto was this user's only way in: disconnecting the last organization signs them out too.
    return redirectWithCookies(await auth.api.signOut({ headers, asResponse: true }), '/?disconnected=1');
  });

  app.onError((error, c) => {
    const { status, title, message, code } = pageForError(error);
    return c.html(html`<!doctype html>${errorPage({ title, message, code })}`, status);
  });

  return { fetch: app.fetch, auth, close: () => database.close() };
}
