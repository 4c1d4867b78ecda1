// @qonto-oauth/next-auth's NextAuth v4 quick start on the Pages Router, with the README's emulator settings from
// the environment, and the organization carried from the raw profile to the session.
import { sandboxEndpointsAt } from '@qonto-oauth/core';
import Qonto, { type QontoProfile } from '@qonto-oauth/next-auth';
import NextAuth, { type AuthOptions } from 'next-auth';

export const authOptions: AuthOptions = {
  providers: [
    Qonto({
      clientId: process.env.QONTO_CLIENT_ID!,
      clientSecret: process.env.QONTO_CLIENT_SECRET!,
      environment: process.env.QONTO_SANDBOX_URL
        ? sandboxEndpointsAt(process.env.QONTO_SANDBOX_URL)
        : 'sandbox',
      stagingToken: process.env.QONTO_STAGING_TOKEN,
    }),
  ],
  // NextAuth v4 sends failed OAuth callbacks on to the sign-in page: the README's error page serves both.
  pages: { signIn: '/auth/error', error: '/auth/error' },
  callbacks: {
    async jwt({ token, profile }) {
      if (profile) token.organization = (profile as QontoProfile).organization?.legalName;
      return token;
    },
    async session({ session, token }) {
      return Object.assign(session, { organization: token.organization as string | undefined });
    },
  },
};

export default NextAuth(authOptions);
