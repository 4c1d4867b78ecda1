// @qonto-oauth/next-auth's Auth.js v5 quick start (settings from AUTH_QONTO_* / QONTO_*, QONTO_SANDBOX_URL for
// the emulator), with the README's refresh callback and its error page for the sign-in and error pages.
import { qontoConfigFromEnv } from '@qonto-oauth/core';
import Qonto, { qontoEnvFromAuthEnv, refreshQontoToken } from '@qonto-oauth/next-auth/authjs';
import NextAuth from 'next-auth';

export const { handlers, auth, signIn, signOut } = NextAuth({
  providers: [Qonto],
  pages: { signIn: '/auth/error', error: '/auth/error' },
  callbacks: {
    async jwt({ token, account, profile }) {
      if (account) {
        // First sign-in: keep the tokens in the (encrypted) JWT, never in the session sent to the browser.
        const { access_token, refresh_token, expires_at } = account;
        return { ...token, qonto: profile, access_token, refresh_token, expires_at };
      }
      // The provider's own settings (AUTH_QONTO_*, then QONTO_*), read when needed, not at build time.
      const qonto = qontoConfigFromEnv(qontoEnvFromAuthEnv());
      return refreshQontoToken(token, {
        ...qonto,
        onTransientError: (error) =>
          console.error(`Qonto token refresh failed, session kept: ${error.message}`),
      });
    },
    async session({ session, token }) {
      const qonto = token.qonto as { organization?: { legalName?: string } } | undefined;
      return Object.assign(session, {
        error: token.error as string | undefined,
        organization: qonto?.organization?.legalName,
      });
    },
  },
});
