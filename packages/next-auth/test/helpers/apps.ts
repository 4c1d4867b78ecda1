import { Auth, type AuthConfig } from '@auth/core';
import type { QontoEndpoints } from '@qonto-oauth/core';
import type { AuthOptions } from 'next-auth';
import { vi } from 'vitest';
import { type QontoJwtTokens, Qonto as QontoV5, refreshQontoToken } from '../../src/authjs.js';
import { Qonto as QontoV4 } from '../../src/index.js';
import { Browser, overHttp } from './browser.js';
import { startNextAuthV4 } from './nextauth-v4-server.js';
import type { OtherOAuthServer } from './other-oauth-server.js';
import { RecordingLogger } from './recording-logger.js';

export type Framework = 'nextauth-v4' | 'authjs-v5';

/** What the app under test is configured with. */
export interface AppOptions {
  /** Auth.js v5 only: `undefined` leaves the environment to AUTH_QONTO_ENV / QONTO_ENV. */
  environment: QontoEndpoints | undefined;
  clientId: string;
  clientSecret: string;
  stagingToken: string | undefined;
  /** A second, non-Qonto OAuth provider in the same app. */
  other?: OtherOAuthServer;
  debug?: boolean;
  /** The clock refreshQontoToken compares expiry with (the emulator's, in tests). */
  now?: () => number;
}

/** An app using one framework and the Qonto provider, as a test drives it. */
export interface App {
  framework: Framework;
  logger: RecordingLogger;
  /** The redirect URI to register with the emulator for `providerId`. */
  callbackUrl(providerId: string): string;
  /** A new browser on the app (its own cookies). */
  browser(): Browser;
  close(): Promise<void>;
}

const SECRET = 'test-only-session-secret-of-thirty-two+-chars';

/**
 * The README's recipe: on sign-in `jwt` keeps the Qonto profile and tokens in the (encrypted) JWT; afterwards it
 * refreshes them shortly before expiry with refreshQontoToken. `session` exposes the profile and any error, never
 * the tokens.
 */
function callbacks(o: AppOptions) {
  return {
    async jwt({
      token,
      account,
      profile,
    }: {
      token: QontoJwtTokens;
      account?: QontoJwtTokens | null;
      profile?: unknown;
    }) {
      if (account) {
        const { access_token, refresh_token, expires_at } = account;
        return { ...token, qonto: profile, access_token, refresh_token, expires_at };
      }
      if (o.environment === undefined) throw new Error('these tests refresh against given endpoints only');
      return refreshQontoToken(token, {
        clientId: o.clientId,
        clientSecret: o.clientSecret,
        environment: o.environment,
        stagingToken: o.stagingToken,
        now: o.now,
      });
    },
    session({
      session,
      token,
    }: {
      session: Record<string, unknown>;
      token: QontoJwtTokens & { qonto?: unknown };
    }) {
      return { ...session, qonto: token.qonto, error: token.error };
    },
  };
}

/** A plain OAuth 2 provider on the test's own loopback server, in the shape both frameworks take. */
function otherProvider(other: OtherOAuthServer) {
  return {
    id: 'other',
    name: 'Other',
    type: 'oauth' as const,
    authorization: { url: `${other.origin}/authorize`, params: { scope: 'read' } },
    token: `${other.origin}/token`,
    userinfo: `${other.origin}/userinfo`,
    clientId: 'other-client',
    clientSecret: 'other-secret',
    checks: ['state' as const],
    profile: (p: { id: string; name: string; email: string }) => ({
      id: p.id,
      name: p.name,
      email: p.email,
      image: null,
    }),
  };
}

export async function startApp(framework: Framework, o: AppOptions): Promise<App> {
  return framework === 'authjs-v5' ? startAuthjsApp(o) : startNextAuthV4App(o);
}

function startAuthjsApp(o: AppOptions): App {
  const origin = 'http://localhost:3000';
  const logger = new RecordingLogger();
  const providers: AuthConfig['providers'] = [
    QontoV5({
      clientId: o.clientId,
      clientSecret: o.clientSecret,
      environment: o.environment,
      stagingToken: o.stagingToken,
    }),
  ];
  if (o.other !== undefined) {
    providers.push({ ...otherProvider(o.other), issuer: o.other.origin });
  }
  const config: AuthConfig = {
    secret: SECRET,
    trustHost: true,
    basePath: '/auth',
    debug: o.debug ?? false,
    logger: logger as unknown as AuthConfig['logger'],
    providers,
    callbacks: callbacks(o) as unknown as AuthConfig['callbacks'],
  };
  return {
    framework: 'authjs-v5',
    logger,
    callbackUrl: (id) => `${origin}/auth/callback/${id}`,
    browser: () => new Browser(origin, '/auth', (request) => Auth(request, config)),
    close: async () => undefined,
  };
}

async function startNextAuthV4App(o: AppOptions): Promise<App> {
  const { environment } = o;
  if (environment === undefined) throw new Error('NextAuth v4 needs the environment in the config');
  const logger = new RecordingLogger();
  const server = await startNextAuthV4(() => {
    const providers: AuthOptions['providers'] = [
      QontoV4({
        clientId: o.clientId,
        clientSecret: o.clientSecret,
        environment,
        stagingToken: o.stagingToken,
      }),
    ];
    if (o.other !== undefined) {
      providers.push({
        ...otherProvider(o.other),
        client: { token_endpoint_auth_method: 'client_secret_post' },
      });
    }
    return {
      secret: SECRET,
      debug: o.debug ?? false,
      logger: logger as unknown as AuthOptions['logger'],
      providers,
      callbacks: callbacks(o) as unknown as AuthOptions['callbacks'],
    };
  });
  // next-auth v4 takes its public URL from NEXTAUTH_URL (read at each request).
  vi.stubEnv('NEXTAUTH_URL', `${server.origin}/api/auth`);
  return {
    framework: 'nextauth-v4',
    logger,
    callbackUrl: (id) => `${server.origin}/api/auth/callback/${id}`,
    browser: () => new Browser(server.origin, '/api/auth', overHttp),
    close: () => server.close(),
  };
}
