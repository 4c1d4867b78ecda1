import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { QontoOptions } from '@qonto-oauth/better-auth';
import { type QontoSandbox, startDemoSandbox } from '@qonto-oauth/sandbox';
import { demoQontoConfig } from '@qonto-oauth/sandbox/demo';
import type { AppConfig } from './app.js';

/** The app's default port (design.md's ports table); `PORT` overrides it. */
export const DEFAULT_PORT = 3003;

/** Where the SQLite database lives unless `DATABASE_FILE` says otherwise: `apps/better-auth/data/` (git-ignored). */
export const DEFAULT_DATABASE_FILE = fileURLToPath(
  new URL('../data/example-better-auth.db', import.meta.url),
);

/** What `server.ts` starts: the app's config, its port, and the emulator it started itself, if any. */
export interface ServerSetup {
  config: AppConfig;
  port: number;
  /** Set when no Qonto app was configured and no emulator URL was given: stop it with the server. */
  emulator?: QontoSandbox;
  /** One line per choice made, for the start-up log (no secrets). */
  notes: string[];
}

function portFrom(value: string | undefined): number {
  if (value === undefined || value === '') return DEFAULT_PORT;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`PORT must be a port number (0-65535), not ${JSON.stringify(value)}.`);
  }
  return port;
}

/** `BETTER_AUTH_URL` (Better Auth's own variable) as an origin, or `http://localhost:$PORT`. */
function baseUrlFrom(value: string | undefined, port: number): string {
  if (value === undefined || value === '') return `http://localhost:${port}`;
  const url = URL.parse(value);
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new Error(
      `BETTER_AUTH_URL must be the app's public origin, such as https://app.example.com, not ${JSON.stringify(value)}.`,
    );
  }
  return url.origin;
}

/**
 * Reads the environment: `PORT`, `BETTER_AUTH_URL` (the app's public origin, default `http://localhost:$PORT`),
 * `DATABASE_FILE`, `BETTER_AUTH_SECRET`, and the `QONTO_*` variables (through `qonto()` itself). Without
 * `QONTO_CLIENT_ID` the app uses the emulator's demo client: at `QONTO_SANDBOX_URL`, or in an emulator it starts
 * in this process.
 */
export async function serverSetupFromEnv(
  env: Record<string, string | undefined> = process.env,
): Promise<ServerSetup> {
  const port = portFrom(env.PORT);
  const notes: string[] = [];
  let emulator: QontoSandbox | undefined;
  let qonto: QontoOptions;
  if (env.QONTO_CLIENT_ID) {
    qonto = { env };
    notes.push(`Qonto app ${env.QONTO_CLIENT_ID} (${env.QONTO_ENV ?? 'sandbox'})`);
  } else {
    let sandboxUrl = env.QONTO_SANDBOX_URL;
    if (sandboxUrl) {
      notes.push(`No QONTO_CLIENT_ID: the emulator's demo client at ${sandboxUrl}`);
    } else {
      emulator = await startDemoSandbox({
        log: (line) => notes.push(`No QONTO_CLIENT_ID nor QONTO_SANDBOX_URL: ${line}`),
      });
      sandboxUrl = emulator.url;
    }
    const demo = demoQontoConfig(sandboxUrl);
    qonto = {
      clientId: demo.clientId,
      clientSecret: demo.clientSecret,
      environment: demo.environment,
      stagingToken: demo.stagingToken,
      scopes: demo.scopes,
    };
  }
  const databaseFile = env.DATABASE_FILE || DEFAULT_DATABASE_FILE;
  notes.push(`Database: SQLite file ${databaseFile}`);
  let secret = env.BETTER_AUTH_SECRET;
  if (!secret) {
    secret = randomBytes(32).toString('base64url');
    notes.push('No BETTER_AUTH_SECRET: a random one, so every sign-in ends when the app restarts');
  }
  const config: AppConfig = {
    baseURL: baseUrlFrom(env.BETTER_AUTH_URL, port),
    secret,
    databaseFile,
    qonto,
  };
  return { config, port, notes, ...(emulator === undefined ? {} : { emulator }) };
}
