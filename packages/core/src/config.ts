import {
  DEFAULT_QONTO_SCOPES,
  endpointUrlProblem,
  type QontoEnvironment,
  sandboxEndpointsAt,
} from './environments.js';
import { QontoConfigError } from './errors.js';
import { HEADER_TOKEN_CHARS } from './header-token.js';
import { mustBe, SANDBOX_CREDENTIALS } from './messages.js';
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
 * | `QONTO_SANDBOX_URL` | base URL of a running emulator: its endpoints are used; with `QONTO_ENV=production`, it is an emulator in production mode (no staging token). `http:` only on loopback hosts |
 * | `QONTO_ALLOW_INSECURE_HTTP` | `true` lets `QONTO_SANDBOX_URL` use `http:` on another host (a test network); default `false` |
 *
 * Throws one {@link QontoConfigError} naming every missing or malformed variable (a value that is not a string, a
 * scope list with no scope in it), never printing a secret, and never any other error.
 * Works where `process` does not exist (pass `env` there).
 */
export function qontoConfigFromEnv(env: Record<string, string | undefined> = processEnv()): QontoEnvConfig {
  const { name, environment, problems } = qontoEnvironmentFromEnv(env);
  if (typeof env !== 'object' || !env) throw new QontoConfigError(problems[0]!);
  const read = (variable: string) => readVariable(env, variable, problems);
  const config: QontoEnvConfig = { environment } as QontoEnvConfig;
  for (const [key, variable, what] of [
    ['clientId', 'QONTO_CLIENT_ID', 'id'],
    ['clientSecret', 'QONTO_CLIENT_SECRET', 'secret'],
  ] as const) {
    const value = read(variable);
    if (value === undefined)
      problems.push(`${variable} is missing: the ${name} app's client ${what} (Developer Portal).`);
    else config[key] = value;
  }
  const redirectUri = read('QONTO_REDIRECT_URI');
  if (redirectUri !== undefined) {
    config.redirectUri = redirectUri;
    if (!URL.canParse(redirectUri) || !/^https?:$/.test(new URL(redirectUri).protocol)) {
      problems.push('QONTO_REDIRECT_URI must be an absolute http(s) URL, e.g. https://app.example/callback.');
    }
  }

  const stagingToken = read('QONTO_STAGING_TOKEN');
  if (stagingToken !== undefined) config.stagingToken = stagingToken;
  if (name === 'production') {
    if (stagingToken !== undefined) {
      problems.push(
        'QONTO_STAGING_TOKEN is set, but QONTO_ENV is production, which refuses it: unset it, or set QONTO_ENV=sandbox.',
      );
    }
  } else if (stagingToken === undefined) {
    problems.push(
      `QONTO_STAGING_TOKEN is missing: the sandbox needs it (${SANDBOX_CREDENTIALS}). For production credentials, set QONTO_ENV=production.`,
    );
  } else if (!HEADER_TOKEN_CHARS.test(stagingToken)) {
    problems.push('QONTO_STAGING_TOKEN is malformed: printable characters only, no spaces.');
  }

  const rawScopes = read('QONTO_SCOPES');
  config.scopes =
    rawScopes === undefined ? [...DEFAULT_QONTO_SCOPES] : rawScopes.split(/[\s,]+/).filter(Boolean);
  if (!config.scopes[0] || !config.scopes.every((scope) => SCOPE_TOKEN.test(scope))) {
    problems.push(
      `QONTO_SCOPES ${config.scopes[0] ? 'has an invalid scope (printable ASCII, no quotes or backslashes)' : 'lists no scope'}: separate scopes with spaces, or unset it for the defaults.`,
    );
  }

  if (problems.length > 0) {
    throw new QontoConfigError(
      `Qonto configuration from environment variables is incomplete:\n- ${problems.join('\n- ')}`,
    );
  }
  return config;
}

/** What {@link qontoEnvironmentFromEnv} read. */
export interface QontoEnvironmentFromEnv {
  /** The environment to pass to the clients: a name, or an emulator's endpoints when `QONTO_SANDBOX_URL` is set. */
  environment: QontoEnvironment;
  /** `sandbox` or `production`: whether Qonto's rules for the sandbox (a staging token) apply. */
  name: 'sandbox' | 'production';
  /** One sentence per malformed variable, naming it; empty when every variable read is fine. */
  problems: string[];
}

/**
 * Reads which Qonto environment the variables name, without throwing, so callers can report its problems with
 * their own (`qontoConfigFromEnv` lists them all in one error; a provider whose options are read before any
 * credential is known can defer them):
 * - `QONTO_ENV` (or the first set of `o.envVariables`, e.g. `['AUTH_QONTO_ENV', 'QONTO_ENV']`): `sandbox` or
 *   `production`, case-insensitive; unset means the sandbox, so production credentials never reach production
 *   by accident;
 * - `QONTO_SANDBOX_URL`: the base URL of a running emulator, whose endpoints are then used
 *   (`sandboxEndpointsAt`); with `production`, an emulator in production mode (no staging token).
 *
 * A malformed value is listed in `problems` and ignored (the sandbox, or the named environment, is returned).
 * Empty values count as unset. Values are never copied into `problems` beyond a short prefix of `QONTO_ENV`.
 */
export function qontoEnvironmentFromEnv(
  env: Record<string, string | undefined> = processEnv(),
  o: { envVariables?: readonly string[] } = {},
): QontoEnvironmentFromEnv {
  const problems: string[] = [];
  if (typeof env !== 'object' || !env) {
    problems.push(mustBe('The environment variables', 'an object, such as process.env', env));
    return { environment: 'sandbox', name: 'sandbox', problems };
  }
  const allowInsecureHttp = readFlag(env, 'QONTO_ALLOW_INSECURE_HTTP', problems);
  const sandboxUrl = readVariable(env, 'QONTO_SANDBOX_URL', problems);
  const sandboxUrlProblem =
    sandboxUrl === undefined ? undefined : endpointUrlProblem(sandboxUrl, { allowInsecureHttp });
  if (sandboxUrlProblem !== undefined) {
    problems.push(`QONTO_SANDBOX_URL ${sandboxUrlProblem} (an emulator's URL, e.g. http://127.0.0.1:4010).`);
  }
  const variables = o.envVariables ?? ['QONTO_ENV'];
  const variable = variables.find((v) => readVariable(env, v, []) !== undefined) ?? 'QONTO_ENV';
  const rawName = readVariable(env, variable, problems)?.toLowerCase();
  let name: 'sandbox' | 'production' = 'sandbox';
  if (rawName === 'sandbox' || rawName === 'production') name = rawName;
  else if (rawName !== undefined) {
    problems.push(
      `${variable} must be "sandbox" or "production", not ${JSON.stringify(rawName.slice(0, 40))}.`,
    );
  }
  let environment: QontoEnvironment = name;
  if (sandboxUrl !== undefined && sandboxUrlProblem === undefined) {
    const endpoints = sandboxEndpointsAt(sandboxUrl, { allowInsecureHttp });
    environment = name === 'production' ? { ...endpoints, requiresStagingToken: false } : endpoints;
  }
  return { environment, name, problems };
}

/**
 * A variable's trimmed value; empty counts as unset. A value that is not a string (an env object built by hand or
 * by a config loader) is a problem naming the variable, and counts as unset.
 */
function readVariable(
  env: Readonly<Record<string, unknown>>,
  name: string,
  problems: string[],
): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string') {
    const problem = mustBe(name, 'a string, as environment variables are', raw);
    if (!problems.includes(problem)) problems.push(problem);
    return undefined;
  }
  const value = raw.trim();
  return value === '' ? undefined : value;
}

/** A yes/no variable: `true`/`1` or `false`/`0` (any case); unset is false. */
function readFlag(env: Readonly<Record<string, unknown>>, name: string, problems: string[]): boolean {
  const value = readVariable(env, name, problems)?.toLowerCase();
  if (value === undefined || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  problems.push(`${name} must be true or false.`);
  return false;
}

/** `process.env` where it exists; core also runs where `process` does not (edge runtimes, browsers). */
function processEnv(): Record<string, string | undefined> {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  return proc?.env ?? {};
}
