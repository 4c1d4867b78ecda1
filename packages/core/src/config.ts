import { DEFAULT_QONTO_SCOPES, type QontoEnvironment, sandboxEndpointsAt } from './environments.js';
import { QontoConfigError } from './errors.js';
import { STAGING_TOKEN_CHARS } from './fetch.js';
import { SANDBOX_CREDENTIALS } from './messages.js';
import { SCOPE_TOKEN } from './oauth-client.js';

/** What {@link qontoConfigFromEnv} returns: the options `QontoOAuthClient` and the adapters take. */
export interface QontoEnvConfig {
  environment: QontoEnvironment;
  clientId: string;
  clientSecret: string;
  redirectUri?: string;
  stagingToken?: string;
  scopes: string[];
}

/**
 * Reads the Qonto configuration from environment variables:
 *
 * | variable | meaning |
 * |---|---|
 * | `QONTO_ENV` | `sandbox` or `production` (default `sandbox`) |
 * | `QONTO_CLIENT_ID`, `QONTO_CLIENT_SECRET` | the app's credentials for that environment (required) |
 * | `QONTO_REDIRECT_URI` | the registered callback URL (optional) |
 * | `QONTO_STAGING_TOKEN` | required for the sandbox, refused for production |
 * | `QONTO_SCOPES` | space-separated (commas tolerated); default {@link DEFAULT_QONTO_SCOPES} |
 * | `QONTO_SANDBOX_URL` | base URL of a running emulator: its endpoints are used; with `QONTO_ENV=production`, it is an emulator in production mode (no staging token) |
 *
 * Throws one {@link QontoConfigError} naming every missing or malformed variable, never printing a secret.
 * Works where `process` does not exist (pass `env` there).
 */
export function qontoConfigFromEnv(env: Record<string, string | undefined> = processEnv()): QontoEnvConfig {
  const problems: string[] = [];
  const read = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };

  const sandboxUrl = read('QONTO_SANDBOX_URL');
  if (sandboxUrl !== undefined && !isHttpUrl(sandboxUrl)) {
    problems.push('QONTO_SANDBOX_URL is not an http(s) URL (e.g. http://127.0.0.1:4010).');
  }
  const rawEnv = read('QONTO_ENV')?.toLowerCase();
  let name: 'sandbox' | 'production' = 'sandbox';
  if (rawEnv === 'sandbox' || rawEnv === 'production') name = rawEnv;
  else if (rawEnv !== undefined) {
    problems.push(`QONTO_ENV must be "sandbox" or "production", not ${JSON.stringify(rawEnv.slice(0, 40))}.`);
  }

  const clientId = read('QONTO_CLIENT_ID');
  if (clientId === undefined)
    problems.push(`QONTO_CLIENT_ID is missing: the ${name} app's client id (Developer Portal).`);
  const clientSecret = read('QONTO_CLIENT_SECRET');
  if (clientSecret === undefined) {
    problems.push(`QONTO_CLIENT_SECRET is missing: the ${name} app's client secret (Developer Portal).`);
  }
  const redirectUri = read('QONTO_REDIRECT_URI');
  if (redirectUri !== undefined && !isHttpUrl(redirectUri)) {
    problems.push(
      'QONTO_REDIRECT_URI is not an absolute http(s) URL (e.g. http://localhost:3001/auth/qonto/callback).',
    );
  }

  const stagingToken = read('QONTO_STAGING_TOKEN');
  if (name === 'sandbox' && stagingToken === undefined) {
    problems.push(
      `QONTO_STAGING_TOKEN is missing: the sandbox needs it on every request (${SANDBOX_CREDENTIALS}). If these ` +
        'are production credentials, set QONTO_ENV=production.',
    );
  } else if (name === 'sandbox' && stagingToken !== undefined && !STAGING_TOKEN_CHARS.test(stagingToken)) {
    problems.push('QONTO_STAGING_TOKEN is malformed: printable characters only, no spaces.');
  } else if (name === 'production' && stagingToken !== undefined) {
    problems.push(
      "QONTO_STAGING_TOKEN is set, but QONTO_ENV is production: Qonto's production rejects it. Unset it, or set " +
        'QONTO_ENV=sandbox.',
    );
  }

  const rawScopes = read('QONTO_SCOPES');
  const scopes =
    rawScopes === undefined ? [...DEFAULT_QONTO_SCOPES] : rawScopes.split(/[\s,]+/).filter(Boolean);
  const badScope = scopes.find((s) => !SCOPE_TOKEN.test(s));
  if (badScope !== undefined) {
    problems.push(`QONTO_SCOPES has an invalid scope ${JSON.stringify(badScope.slice(0, 40))}.`);
  }

  if (problems.length > 0) {
    throw new QontoConfigError(
      `Qonto configuration from environment variables is incomplete:\n- ${problems.join('\n- ')}`,
    );
  }
  let environment: QontoEnvironment = name;
  if (sandboxUrl !== undefined) {
    const endpoints = sandboxEndpointsAt(sandboxUrl);
    environment = name === 'production' ? { ...endpoints, requiresStagingToken: false } : endpoints;
  }
  const config: QontoEnvConfig = { environment, clientId: clientId!, clientSecret: clientSecret!, scopes };
  if (redirectUri !== undefined) config.redirectUri = redirectUri;
  if (stagingToken !== undefined) config.stagingToken = stagingToken;
  return config;
}

function isHttpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const { protocol } = new URL(value);
  return protocol === 'http:' || protocol === 'https:';
}

/** `process.env` where it exists; core also runs where `process` does not (edge runtimes, browsers). */
function processEnv(): Record<string, string | undefined> {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env ?? {};
}
