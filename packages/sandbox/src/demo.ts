/**
 * The emulator's demo-mode constants and a ready config for its demo client. No server code: a Next.js app (or any
 * bundle) can import this entry.
 *
 * @module @qonto-oauth/sandbox/demo
 */
import { DEFAULT_QONTO_SCOPES, type QontoEndpoints, sandboxEndpointsAt } from '@qonto-oauth/core';
import { DEFAULT_SEED, seedUsers } from './seed/index.js';
import type { SandboxUser } from './types.js';

/** The staging token the emulator requires in demo mode. Public: it opens nothing but a local emulator. */
export const DEMO_STAGING_TOKEN = 'demo-staging-token';
/** The demo client's id. */
export const DEMO_CLIENT_ID = 'qonto-oauth-demo';
/** The demo client's secret. Public, like the other demo values. */
export const DEMO_CLIENT_SECRET = 'demo-secret';
/** Where `qonto-sandbox` listens by default. */
export const DEMO_SANDBOX_PORT = 4010;
/** The emulator's URL with the CLI's defaults. */
export const DEMO_SANDBOX_URL = `http://127.0.0.1:${DEMO_SANDBOX_PORT}`;

/**
 * The callback paths of the sample apps: Auth.js and Better Auth, then Passport and NestJS, then the Express app's
 * "Connect a Qonto organization" (an organization linked to a signed-in user of its own).
 */
export const DEMO_CALLBACK_PATHS: readonly string[] = Object.freeze([
  '/api/auth/callback/qonto',
  '/auth/qonto/callback',
  '/connect/qonto/callback',
]);

/**
 * The demo client's redirect URIs: each callback path on any port (`*`) of `localhost` and `127.0.0.1`, so an app
 * started with another `PORT` needs no other change.
 */
export const DEMO_REDIRECT_URIS: readonly string[] = Object.freeze(
  ['localhost', '127.0.0.1'].flatMap((host) => DEMO_CALLBACK_PATHS.map((path) => `http://${host}:*${path}`)),
);

/** The sample apps the emulator's home page links to, with their default ports. */
export const DEMO_APPS: readonly { name: string; url: string }[] = Object.freeze([
  { name: 'example-next (Next.js + Auth.js)', url: 'http://localhost:3000' },
  { name: 'example-express-passport (Express + Passport)', url: 'http://localhost:3001' },
  { name: 'example-nest (NestJS)', url: 'http://localhost:3002' },
  { name: 'example-better-auth (Hono + Better Auth)', url: 'http://localhost:3003' },
]);

/** The users who can log in to an emulator started with the default seed (the demo mode's users). */
export const DEMO_USERS: readonly SandboxUser[] = Object.freeze(seedUsers(DEFAULT_SEED));

/** The SMS code of Qonto's sandbox login: always `123456` (https://docs.qonto.com/get-started/general/sandbox-access). */
export const SANDBOX_SMS_CODE = '123456';

/** A `qontoConfigFromEnv`-shaped config, as an app gets it from its environment. */
export interface DemoQontoConfig {
  environment: QontoEndpoints;
  clientId: string;
  clientSecret: string;
  /** Left to the app: it knows its own origin and callback path. */
  redirectUri: string | undefined;
  stagingToken: string;
  scopes: string[];
}

/**
 * The configuration of the demo client for an emulator in demo mode at `sandboxUrl`: what an app without its own
 * `QONTO_CLIENT_ID` uses.
 */
export function demoQontoConfig(sandboxUrl: string = DEMO_SANDBOX_URL): DemoQontoConfig {
  return {
    environment: sandboxEndpointsAt(sandboxUrl),
    clientId: DEMO_CLIENT_ID,
    clientSecret: DEMO_CLIENT_SECRET,
    redirectUri: undefined,
    stagingToken: DEMO_STAGING_TOKEN,
    scopes: [...DEFAULT_QONTO_SCOPES],
  };
}
