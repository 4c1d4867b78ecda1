import { type QontoEnvConfig, qontoConfigFromEnv, type TokenStore } from '@qonto-oauth/core';
import { RedisTokenStore } from '@qonto-oauth/redis';
import { type QontoSandbox, startDemoSandbox } from '@qonto-oauth/sandbox';
import { demoQontoConfig } from '@qonto-oauth/sandbox/demo';

/** The app's default port (design.md's ports table); `PORT` overrides it. */
export const DEFAULT_PORT = 3002;

/** The Qonto side of the configuration: `qontoConfigFromEnv`'s shape with this app's callback URL resolved. */
export type AppQontoConfig = QontoEnvConfig & {
  /** This app's callback, e.g. `http://localhost:3002/auth/qonto/callback`. */
  redirectUri: string;
};

/**
 * Everything the app needs, provided through `ConfigModule` under the `app` key (`ConfigService.get('app')`).
 * `main.ts` builds it from the environment ({@link appConfigFromEnv}); tests build it against their own emulator.
 */
export interface AppConfig {
  qonto: AppQontoConfig;
  /** Where `main.ts` listens (tests listen on their own port). */
  port: number;
  /** Signs the login cookie (default: random per start, so a restart signs everybody out anyway). */
  sessionSecret?: string | undefined;
  /**
   * Where logins (their TokenSet) live, server-side; default an in-memory store (one process). A `RedisTokenStore`
   * shared by several instances lets any of them serve a login, and refreshes its token once among them.
   */
  loginStore?: (TokenStore & { close?(): Promise<void> }) | undefined;
  /** The emulator this process started because nothing else was configured: `main.ts` stops it on exit. */
  emulator?: QontoSandbox | undefined;
  /** One line per choice made, for the start-up log (never a secret). */
  notes: string[];
}

function portFrom(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT must be a port number (0-65535), not ${JSON.stringify(value.slice(0, 40))}.`);
  }
  return port;
}

/**
 * Reads design.md's environment variables (`QONTO_*` through core's `qontoConfigFromEnv`), `PORT`,
 * `SESSION_SECRET` and `REDIS_URL` (logins in that Redis, shared by every instance; in memory without it). Without `QONTO_CLIENT_ID` the app uses the emulator's demo client: the emulator at
 * `QONTO_SANDBOX_URL`, or one it starts in this process (demo mode, port 4010, or a free port when 4010 is taken).
 * Throws core's `QontoConfigError` naming every missing or malformed variable.
 */
export async function appConfigFromEnv(env: Record<string, string | undefined>): Promise<AppConfig> {
  const port = portFrom(env.PORT);
  const notes: string[] = [];
  let emulator: QontoSandbox | undefined;
  let qonto: QontoEnvConfig;
  if (env.QONTO_CLIENT_ID) {
    qonto = qontoConfigFromEnv(env);
    const where = typeof qonto.environment === 'string' ? qonto.environment : qonto.environment.apiBaseUrl;
    notes.push(`Qonto app ${qonto.clientId} (${where})`);
  } else if (env.QONTO_SANDBOX_URL) {
    qonto = demoQontoConfig(env.QONTO_SANDBOX_URL);
    notes.push(`No QONTO_CLIENT_ID: the emulator's demo client at ${env.QONTO_SANDBOX_URL}`);
  } else {
    emulator = await startDemoSandbox({
      log: (line) => notes.push(`No QONTO_CLIENT_ID nor QONTO_SANDBOX_URL: ${line}`),
    });
    qonto = demoQontoConfig(emulator.url);
  }
  let loginStore: RedisTokenStore | undefined;
  if (env.REDIS_URL) {
    loginStore = new RedisTokenStore({ url: env.REDIS_URL, keyPrefix: 'example-nest:' });
    const { hostname, port: redisPort } = new URL(env.REDIS_URL);
    notes.push(`Logins in Redis at ${hostname}:${redisPort || 6379}`);
  } else {
    notes.push('Logins in memory (set REDIS_URL to share them between instances)');
  }
  return {
    qonto: {
      ...qonto,
      // The demo client takes QONTO_REDIRECT_URI too; core reads it otherwise.
      redirectUri:
        qonto.redirectUri ?? (env.QONTO_REDIRECT_URI || `http://localhost:${port}/auth/qonto/callback`),
    },
    port,
    sessionSecret: env.SESSION_SECRET || undefined,
    loginStore,
    emulator,
    notes,
  };
}
