/**
 * Auth.js v5 for the sample: the Qonto provider, the token rotation in the `jwt` callback, this app's cookie
 * names and error page. The config is built per request (NextAuth's function form), so `next build` reads no
 * credentials and a missing setting is reported on the page instead of failing the build.
 */
import { isQontoError, type QontoProfile } from '@qonto-oauth/core';
import Qonto, {
  REFRESH_TRANSIENT_ERROR,
  type RefreshQontoTokenOptions,
  refreshQontoToken,
} from '@qonto-oauth/next-auth/authjs';
import NextAuth, { type NextAuthConfig } from 'next-auth';
import { authCookies } from './lib/auth-cookies';
import { currentAuthRequestContext } from './lib/auth-request-context';
import { qontoConfigFor } from './lib/qonto-config';
import { type QontoSessionToken, tokenAtSignIn } from './lib/session-token';
import { signInFailureCode } from './lib/sign-in-failure';

/** The custom page for failed sign-ins (Auth.js's `error` and `signIn` pages: a denied consent lands on `signIn`). */
export const SIGN_IN_ERROR_PAGE = '/auth/error';

/** The `unstable_update` payload that asks the `jwt` callback for a refresh now, expired or not. */
export const REFRESH_NOW = { qontoRefresh: 'now' } as const;

function isRefreshNow(data: unknown): boolean {
  return (data as { qontoRefresh?: unknown } | undefined)?.qontoRefresh === REFRESH_NOW.qontoRefresh;
}

/**
 * Keeps the access token fresh with the package's helper, which never throws for a Qonto failure (Auth.js would
 * clear the session cookie): a refused refresh token comes back as `error: 'RefreshTokenError'` (connect again),
 * a failure that may pass (Qonto unreachable, a timeout, the staging gate) as `'RefreshTransientError'` with an
 * `error_reason`, and the next request tries again. `now` forces the refresh ("Refresh tokens").
 */
async function keepFresh(
  token: QontoSessionToken,
  options: RefreshQontoTokenOptions,
  now: boolean,
): Promise<QontoSessionToken> {
  const fresh = await refreshQontoToken(now ? { ...token, expires_at: 0 } : token, {
    ...options,
    onTransientError: (error) =>
      console.error(`[qonto] token refresh failed, session kept: ${describeError(error)}`),
  });
  // A forced refresh that failed keeps the real expiry, so the next page load does not rotate behind the member's back.
  return fresh.error === REFRESH_TRANSIENT_ERROR ? { ...fresh, expires_at: token.expires_at } : fresh;
}

/**
 * What kind of error this is, readable in a production build: class names are minified there, so Qonto errors
 * are named by their stable `code` and Auth.js errors by their `type`.
 */
function errorKind(error: Error): string {
  if (isQontoError(error)) return `Qonto error "${error.code}"`;
  const { type } = error as { type?: unknown };
  return typeof type === 'string' ? type : error.name;
}

/** One line for the log: the error and its cause. Core's messages carry no secret; Auth.js's carry none either. */
function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error.cause as { err?: unknown } | undefined)?.err;
  const inner = cause instanceof Error ? ` (cause: ${errorKind(cause)}: ${cause.message})` : '';
  return `${errorKind(error)}: ${error.message}${inner}`;
}

function authConfig(): NextAuthConfig {
  const app = qontoConfigFor();
  const qonto = app.ok ? app.qonto : undefined;
  const refresh: RefreshQontoTokenOptions | undefined = qonto && {
    clientId: qonto.clientId,
    clientSecret: qonto.clientSecret,
    environment: qonto.environment,
    stagingToken: qonto.stagingToken,
  };
  return {
    // Without a usable config the provider still exists (Auth.js needs one); the home page shows the problem.
    providers: [Qonto(refresh === undefined ? {} : { ...refresh, scope: qonto?.scopes })],
    session: { strategy: 'jwt' },
    cookies: authCookies(),
    pages: { signIn: SIGN_IN_ERROR_PAGE, error: SIGN_IN_ERROR_PAGE },
    logger: {
      error(error) {
        // Auth.js logs the real cause, then redirects with a generic code: keep the cause for the error page.
        const context = currentAuthRequestContext();
        const failure = signInFailureCode(error);
        if (context !== undefined && failure !== undefined) context.signInFailure ??= failure;
        console.error(`[auth][error] ${describeError(error)}`);
      },
    },
    callbacks: {
      async jwt({ token, account, profile, trigger, session }) {
        let next = token as QontoSessionToken;
        if (account) next = tokenAtSignIn(token, account, profile as QontoProfile | undefined);
        else if (refresh !== undefined) {
          next = await keepFresh(next, refresh, trigger === 'update' && isRefreshNow(session));
        }
        const context = currentAuthRequestContext();
        if (context !== undefined) context.token = next;
        return next;
      },
      // What `auth()` and GET /api/auth/session return: who is connected, never the tokens.
      session({ session, token }) {
        const t = token as QontoSessionToken;
        return {
          expires: session.expires,
          user: { name: t.name ?? null, email: t.email ?? null },
          organizationName: t.organizationName ?? null,
          ...(t.error === undefined ? {} : { error: t.error }),
          ...(t.error === REFRESH_TRANSIENT_ERROR ? { refreshProblem: t.error_reason ?? 'unknown' } : {}),
        };
      },
    },
  };
}

/**
 * Auth.js for this app: `handlers` for the route, `auth()` for Server Components and proxy.ts, `signIn`/`signOut`
 * and `unstable_update` for server actions (they write the session cookie).
 */
export const { handlers, auth, signIn, signOut, unstable_update } = NextAuth(authConfig);
