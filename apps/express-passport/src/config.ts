import { qontoConfigFromEnv } from '@qonto-oauth/core';
import { type QontoSandbox, startDemoSandbox } from '@qonto-oauth/sandbox';
import { demoQontoConfig } from '@qonto-oauth/sandbox/demo';
import type { AppConfig } from './app.js';
import { type AppStores, memoryStores, redisStores } from './stores.js';

/** The app's default port (design.md's ports table); `PORT` overrides it. */
export const DEFAULT_PORT = 3001;

/** What `server.ts` starts: the app's config, its port, and the emulator it started itself, if any. */
export interface ServerSetup {
  config: AppConfig;
  port: number;
  /** Set when no Qonto app was configured and no emulator URL was given: stop it with the server. */
  emulator?: QontoSandbox;
  /** Where sessions and tokens live (Redis with `REDIS_URL`, else memory): close them with the server. */
  stores: AppStores;
  /** One line per choice made, for the start-up log (no secrets). */
  notes: string[];
}

/** `PORT` as a number (0 asks the system for a free port), or the default; anything else is refused, named. */
export function portFrom(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT must be a port number (0-65535), not ${JSON.stringify(value)}.`);
  }
  return port;
}

/**
 * `TRUST_PROXY` as Express's `trust proxy` setting: `true`/`false`, a number of hops, or addresses and subnets
 * (`loopback`, `10.0.0.0/8, 127.0.0.1`); unset or empty, none.
 */
function trustProxyFrom(value: string | undefined): boolean | number | string | undefined {
  const trimmed = value?.trim();
  if (trimmed === undefined || trimmed === '') return undefined;
  if (trimmed === 'true' || trimmed === 'false') return trimmed === 'true';
  return /^\d+$/.test(trimmed) ? Number(trimmed) : trimmed;
}

/** `QONTO_WEBHOOK_URL`: a URL, `off` (no subscription), or unset (the app's own `/webhooks/qonto`). */
function webhookUrlFrom(value: string | undefined): string | false | undefined {
  const trimmed = value?.trim();
  if (trimmed === undefined || trimmed === '') return undefined;
  if (trimmed === 'off') return false;
  if (!URL.canParse(trimmed)) {
    throw new Error(
      `QONTO_WEBHOOK_URL must be the absolute URL Qonto delivers webhooks to (https://app.example/webhooks/qonto), or off, not ${JSON.stringify(trimmed)}.`,
    );
  }
  return trimmed;
}

/**
 * Reads design.md's environment variables (`QONTO_*` through core's `qontoConfigFromEnv`), `PORT`,
 * `SESSION_SECRET`, `TRUST_PROXY`, `QONTO_WEBHOOK_URL`, `QONTO_CONNECT_REDIRECT_URI`, `REDIS_URL` (sessions,
 * tokens and connections in that Redis, shared by every instance; in memory without it) and `REDIS_ENCRYPTION_KEY`
 * (tokens, connections and webhook secrets encrypted in that Redis). Without
 * `QONTO_CLIENT_ID` the app uses the emulator's demo client: at `QONTO_SANDBOX_URL`, or in an emulator it starts
 * in this process.
 */
export async function serverSetupFromEnv(
  env: Record<string, string | undefined> = process.env,
): Promise<ServerSetup> {
  const port = portFrom(env.PORT);
  const defaultRedirectUri = `http://localhost:${port}/auth/qonto/callback`;
  const notes: string[] = [];
  let emulator: QontoSandbox | undefined;
  let qonto: ReturnType<typeof qontoConfigFromEnv> | ReturnType<typeof demoQontoConfig>;
  if (env.QONTO_CLIENT_ID) {
    qonto = qontoConfigFromEnv(env);
    notes.push(
      `Qonto app ${qonto.clientId} (${typeof qonto.environment === 'string' ? qonto.environment : 'custom endpoints'})`,
    );
  } else if (env.QONTO_SANDBOX_URL) {
    qonto = demoQontoConfig(env.QONTO_SANDBOX_URL);
    notes.push(`No QONTO_CLIENT_ID: the emulator's demo client at ${env.QONTO_SANDBOX_URL}`);
  } else {
    emulator = await startDemoSandbox({
      log: (line) => notes.push(`No QONTO_CLIENT_ID nor QONTO_SANDBOX_URL: ${line}`),
    });
    qonto = demoQontoConfig(emulator.url);
  }
  const stores = env.REDIS_URL
    ? redisStores(env.REDIS_URL, env.REDIS_ENCRYPTION_KEY || undefined)
    : memoryStores();
  notes.push(stores.description);
  const config: AppConfig = {
    qonto: {
      ...qonto,
      // The demo client takes QONTO_REDIRECT_URI too (behind a proxy, several instances); core reads it otherwise.
      redirectUri: qonto.redirectUri ?? (env.QONTO_REDIRECT_URI || defaultRedirectUri),
      connectRedirectUri: env.QONTO_CONNECT_REDIRECT_URI || undefined,
    },
    sessionSecret: env.SESSION_SECRET,
    sessionStore: stores.sessionStore,
    tokenStore: stores.tokenStore,
    connectionStore: stores.connectionStore,
    webhookSubscriptions: stores.webhookSubscriptions,
    webhookUrl: webhookUrlFrom(env.QONTO_WEBHOOK_URL),
    trustProxy: trustProxyFrom(env.TRUST_PROXY),
  };
  return { config, port, notes, stores, ...(emulator === undefined ? {} : { emulator }) };
}
