import type { NextAuthConfig } from 'next-auth';

/**
 * The prefix of every cookie this app sets. Cookies ignore ports, so the sample apps on localhost (3000, 3001,
 * 3002) would overwrite each other's `authjs.*` cookies without names of their own.
 */
export const COOKIE_PREFIX = 'qonto-next';

/**
 * Auth.js's cookies under this app's names; their options (httpOnly, SameSite=Lax, Secure over https) stay
 * Auth.js's. Over https (`AUTH_URL=https://…`) the names keep the `__Secure-`/`__Host-` prefixes Auth.js uses,
 * so the browser refuses them over plain http. Decided from the environment, not the request: a Server
 * Component has no request to look at, and every part of the app must read the same names.
 */
export function authCookies(
  env: Record<string, string | undefined> = process.env,
): NextAuthConfig['cookies'] {
  const secure = env.AUTH_URL?.startsWith('https:') === true;
  const secureName = (name: string) => `${secure ? '__Secure-' : ''}${COOKIE_PREFIX}.${name}`;
  return {
    sessionToken: { name: secureName('session-token') },
    callbackUrl: { name: secureName('callback-url') },
    csrfToken: { name: `${secure ? '__Host-' : ''}${COOKIE_PREFIX}.csrf-token` },
    pkceCodeVerifier: { name: secureName('pkce.code_verifier') },
    state: { name: secureName('state') },
    nonce: { name: secureName('nonce') },
    webauthnChallenge: { name: secureName('challenge') },
  };
}
