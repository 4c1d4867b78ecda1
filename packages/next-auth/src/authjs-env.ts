import { QontoConfigError, type QontoEnvironment, qontoEnvironmentFromEnv } from '@qonto-oauth/core';

/** The settings the Auth.js provider takes from the environment when the config does not give them. */
export interface QontoSettingsFromEnv {
  clientId: string | undefined;
  clientSecret: string | undefined;
  stagingToken: string | undefined;
  environment: QontoEnvironment;
  /** An `iss` to expect other than the environment's (`AUTH_QONTO_ISSUER`). */
  issuer: string | undefined;
  /** The scopes to ask for (`AUTH_QONTO_SCOPES`, `QONTO_SCOPES`: space-separated); the defaults when unset. */
  scope: string | string[] | undefined;
  /** Where each setting came from, as the user wrote it, for messages that say what to change. */
  sources: QontoSettingSources;
}

/** Where a setting of {@link QontoSettingsFromEnv} came from: a `Qonto({ … })` option or a variable's name. */
export interface QontoSettingSources {
  clientId: string | undefined;
  clientSecret: string | undefined;
  /** `Qonto({ stagingToken })`, `AUTH_QONTO_STAGING_TOKEN` or `QONTO_STAGING_TOKEN`; `undefined` when none is set. */
  stagingToken: string | undefined;
  /** e.g. `AUTH_QONTO_ENV=production`, `Qonto({ environment })`, or the default (`sandbox`). */
  environment: string;
}

type Env = Record<string, string | undefined>;

/** Each `AUTH_QONTO_*` name the Auth.js provider reads, and the project-wide `QONTO_*` name it comes before. */
const AUTH_NAMES: ReadonlyArray<readonly [auth: string, project: string]> = [
  ['AUTH_QONTO_ID', 'QONTO_CLIENT_ID'],
  ['AUTH_QONTO_SECRET', 'QONTO_CLIENT_SECRET'],
  ['AUTH_QONTO_ENV', 'QONTO_ENV'],
  ['AUTH_QONTO_STAGING_TOKEN', 'QONTO_STAGING_TOKEN'],
  ['AUTH_QONTO_SCOPES', 'QONTO_SCOPES'],
];

/** The process environment where there is one (Node, Next's server runtimes); empty elsewhere. */
export function processEnv(): Env {
  return (globalThis as { process?: { env?: Env } }).process?.env ?? {};
}

/**
 * The variables with each `AUTH_QONTO_*` one that is set (not empty) copied over its project-wide `QONTO_*`
 * counterpart: `AUTH_QONTO_ID` → `QONTO_CLIENT_ID`, `AUTH_QONTO_SECRET` → `QONTO_CLIENT_SECRET`,
 * `AUTH_QONTO_ENV` → `QONTO_ENV`, `AUTH_QONTO_STAGING_TOKEN` → `QONTO_STAGING_TOKEN`,
 * `AUTH_QONTO_SCOPES` → `QONTO_SCOPES`. The precedence the {@link Qonto} provider applies, in the names core's
 * `qontoConfigFromEnv` reads, so the rest of an app (the `jwt` callback's {@link refreshQontoToken}, calls to the
 * Business API) uses exactly the provider's settings:
 *
 * @example
 * import { qontoConfigFromEnv } from '@qonto-oauth/core'
 * // Throws one QontoConfigError naming every missing or malformed variable (under its QONTO_* name).
 * const qonto = qontoConfigFromEnv(qontoEnvFromAuthEnv())
 * return refreshQontoToken(token, qonto)
 */
export function qontoEnvFromAuthEnv(env: Env = processEnv()): Env {
  const merged: Env = { ...env };
  for (const [auth, project] of AUTH_NAMES) {
    const value = env[auth];
    if (value !== undefined && value.trim() !== '') merged[project] = value;
  }
  return merged;
}

/**
 * Reads the settings with Auth.js's precedence: a value given in the config wins, then `AUTH_QONTO_*` (the names
 * Auth.js's `setEnvDefaults` uses for a provider whose id is `qonto`: `AUTH_QONTO_ID`, `AUTH_QONTO_SECRET`, `AUTH_QONTO_ISSUER`), then
 * the project-wide `QONTO_*` ones. The staging token and the environment follow the same order:
 * `AUTH_QONTO_STAGING_TOKEN` then `QONTO_STAGING_TOKEN`; `AUTH_QONTO_ENV` then `QONTO_ENV`, with
 * `QONTO_SANDBOX_URL` pointing at a local emulator; the scopes: `AUTH_QONTO_SCOPES` then `QONTO_SCOPES`. Empty
 * strings count as unset.
 *
 * Never throws for a missing value: Auth.js calls the provider with `{}` just to read its id, and a missing
 * credential is reported when the sign-in needs it. An unknown environment name or a malformed `QONTO_SANDBOX_URL`
 * does throw, naming the variable (core's `qontoEnvironmentFromEnv` reads them).
 */
export function qontoSettings(
  config: {
    clientId?: string | undefined;
    clientSecret?: string | undefined;
    stagingToken?: string | undefined;
    environment?: QontoEnvironment | undefined;
    issuer?: string | undefined;
    scope?: string | string[] | undefined;
  },
  env: Env = processEnv(),
): QontoSettingsFromEnv {
  const qonto = qontoEnvFromAuthEnv(env);
  return {
    clientId: first(config.clientId, qonto.QONTO_CLIENT_ID),
    clientSecret: first(config.clientSecret, qonto.QONTO_CLIENT_SECRET),
    stagingToken: first(config.stagingToken, qonto.QONTO_STAGING_TOKEN),
    environment: config.environment ?? environmentFromEnv(env),
    issuer: first(config.issuer, env.AUTH_QONTO_ISSUER),
    scope: config.scope ?? first(qonto.QONTO_SCOPES),
    sources: {
      clientId: source(config.clientId, 'clientId', env, 'AUTH_QONTO_ID', 'QONTO_CLIENT_ID'),
      clientSecret: source(
        config.clientSecret,
        'clientSecret',
        env,
        'AUTH_QONTO_SECRET',
        'QONTO_CLIENT_SECRET',
      ),
      stagingToken: source(
        config.stagingToken,
        'stagingToken',
        env,
        'AUTH_QONTO_STAGING_TOKEN',
        'QONTO_STAGING_TOKEN',
      ),
      environment: environmentSource(config.environment, env),
    },
  };
}

/** The first of the option and the variables that is set, named as the user wrote it. */
function source(
  given: string | undefined,
  option: string,
  env: Env,
  ...variables: string[]
): string | undefined {
  if (first(given) !== undefined) return `Qonto({ ${option} })`;
  return variables.find((name) => env[name] !== undefined && env[name].trim() !== '');
}

/** Where the environment came from, e.g. `AUTH_QONTO_ENV=production` (the value is not a secret). */
function environmentSource(given: QontoEnvironment | undefined, env: Env): string {
  if (given !== undefined) return 'Qonto({ environment })';
  const variable = ['AUTH_QONTO_ENV', 'QONTO_ENV'].find((name) => (env[name] ?? '').trim() !== '');
  const named =
    variable === undefined ? 'no AUTH_QONTO_ENV (sandbox)' : `${variable}=${env[variable]?.trim()}`;
  return (env.QONTO_SANDBOX_URL ?? '').trim() === '' ? named : `${named} with QONTO_SANDBOX_URL`;
}

/** Core's reader, with `AUTH_QONTO_ENV` before `QONTO_ENV`; a malformed value throws, naming the variable. */
function environmentFromEnv(env: Env): QontoEnvironment {
  // The original names, so a problem names the variable that was actually set.
  const { environment, problems } = qontoEnvironmentFromEnv(env, {
    envVariables: ['AUTH_QONTO_ENV', 'QONTO_ENV'],
  });
  if (problems.length > 0) throw new QontoConfigError(`Qonto provider: ${problems.join(' ')}`);
  return environment;
}

function first(...values: (string | undefined)[]): string | undefined {
  return values.find((v) => typeof v === 'string' && v !== '');
}
