'use server';

import { isQontoError, QontoOAuthClient } from '@qonto-oauth/core';
import { REFRESH_TOKEN_ERROR, REFRESH_TRANSIENT_ERROR } from '@qonto-oauth/next-auth/authjs';
import { redirect } from 'next/navigation';
import { SIGN_IN_ERROR_PAGE, signIn, signOut } from '@/auth';
import { withAuthRequestContext } from '@/lib/auth-request-context';
import { qontoConfigFor } from '@/lib/qonto-config';
import { updateQontoSession } from '@/lib/qonto-session';
import { qontoFailureCode, withFailureCode } from '@/lib/sign-in-failure';

// Server actions: Next.js checks their Origin, and they can write the session cookie (Server Components cannot).

/**
 * "Connect with Qonto": starts Auth.js's sign-in, which redirects to Qonto's consent page. A sign-in the provider
 * refuses before Qonto (a missing or wrong staging token) lands on the error page with its cause, as through the
 * route handler.
 */
export async function connectWithQonto(): Promise<void> {
  const [location, context] = await withAuthRequestContext(() =>
    signIn('qonto', { redirectTo: '/', redirect: false }),
  );
  redirect(withFailureCode(location, 'http://localhost', context.signInFailure, SIGN_IN_ERROR_PAGE));
}

/** "Refresh tokens": rotates the access and refresh tokens now and stores them in the session cookie. */
export async function refreshTokens(): Promise<void> {
  const { token } = await updateQontoSession({ refreshNow: true });
  if (token?.error === REFRESH_TRANSIENT_ERROR) {
    redirect(`/?problem=${encodeURIComponent(token.error_reason ?? 'unknown')}`);
  }
  redirect(token === undefined || token.error !== undefined ? '/' : '/?refreshed=1');
}

/**
 * "Disconnect": revokes the consent at Qonto (`DELETE /v2/oauth2/consents`), then signs out. When the revocation
 * fails for a reason that may pass, the member stays signed in and sees why, so the consent is not left behind
 * silently. A session whose refresh token Qonto already refused has nothing left to revoke.
 */
export async function disconnect(): Promise<void> {
  const app = qontoConfigFor();
  const { token } = await updateQontoSession();
  if (app.ok && token?.access_token !== undefined && token.error !== REFRESH_TOKEN_ERROR) {
    const client = new QontoOAuthClient({
      environment: app.qonto.environment,
      clientId: app.qonto.clientId,
      clientSecret: app.qonto.clientSecret,
      stagingToken: app.qonto.stagingToken,
    });
    let problem: string | undefined;
    try {
      await client.revokeConsent(token.access_token);
    } catch (error) {
      if (!isQontoError(error)) throw error;
      console.error(`[qonto] revoking the consent failed, still signed in: ${error.message}`);
      problem = `revoke_${qontoFailureCode(error) ?? error.code}`;
    }
    if (problem !== undefined) redirect(`/?problem=${encodeURIComponent(problem)}`);
  }
  await signOut({ redirectTo: '/?disconnected=1' });
}

/** "Sign out": ends the session in this app; the consent at Qonto stays (use "Disconnect" to revoke it). */
export async function signOutOfApp(): Promise<void> {
  await signOut({ redirectTo: '/' });
}
