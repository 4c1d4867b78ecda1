import type { QontoJwtTokens, QontoProfile } from '@qonto-oauth/next-auth/authjs';

/**
 * What the app keeps in Auth.js's encrypted session cookie (the JWT): Auth.js's own fields, the Qonto tokens
 * under Auth.js's names (what `refreshQontoToken` reads and writes), and who connected. The tokens never reach the
 * browser-visible session: see `publicSession` in auth.ts.
 */
export interface QontoSessionToken extends QontoJwtTokens {
  name?: string | null;
  email?: string | null;
  /** The organization the member consented for (legal name), from the sign-in profile. */
  organizationName?: string | null;
  [field: string]: unknown;
}

/** The fields the first sign-in stores, from Auth.js's `account` (token response) and the Qonto profile. */
export function tokenAtSignIn(
  token: Record<string, unknown>,
  account: { access_token?: string; refresh_token?: string; expires_at?: number; scope?: string },
  profile: QontoProfile | undefined,
): QontoSessionToken {
  return {
    ...token,
    access_token: account.access_token,
    refresh_token: account.refresh_token,
    expires_at: account.expires_at,
    scope: account.scope,
    organizationName: profile?.organization?.legalName ?? null,
  };
}
