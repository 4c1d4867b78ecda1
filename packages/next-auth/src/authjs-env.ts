import { QontoConfigError, type QontoEnvironment, qontoEnvironmentFromEnv } from '@qonto-oauth/core';

/** The settings the Auth.js provider takes from the environment when the config does not give them. */
export interface QontoSettingsFromEnv {
  clientId: string | undefined;
  clientSecret: string | undefined;
  stagingToken: string | undefined;
  environment: QontoEnvironment;
  /** An `iss` to expect other than the environment's (`AUTH_QONTO_ISSUER`). */
  issuer: string | undefined;
}

type Env = Record<string, string | undefined>;

/** The process environment where there is one (Node, Next's server runtimes); empty elsewhere. */
export function processEnv(): Env {
  return (globalThis as { process?: { env?: Env } }).process?.env ?? {};
}

/**
 * Reads the settings with Auth.js's precedence: a value given in the config wins, then `AUTH_QONTO_*` (the names
 * Auth.js's `setEnvDefaults` uses for a provider whose id is `qonto`: `AUTH_QONTO_ID`, `AUTH_QONTO_SECRET`, `AUTH_QONTO_ISSUER`), then
 * the project-wide `QONTO_*` ones. The staging token and the environment follow the same order:
 * `AUTH_QONTO_STAGING_TOKEN` then `QONTO_STAGING_TOKEN`; `AUTH_QONTO_ENV` then `QONTO_ENV`, with
 * `QONTO_SANDBOX_URL` pointing at a local emulator. Empty strings count as unset.
 *
 * Never throws for a missing value: Auth.js calls the provider with `{}` just to read its id, and a missing
 * credential is reported when the sign-in needs it. An unknown environment name or a malformed `QONTO_SANDBOX_URL`
 * does throw, naming the variable (core's `qontoEnvironmentFromEnv` reads them).
 */
export function qontoSettings(
  config: {
    clientId?: string;
    clientSecret?: string;
    stagingToken?: string;
    environment?: QontoEnvironment;
    issuer?: string;
  },
  env: Env = processEnv(),
): QontoSettingsFromEnv {
  return {
    clientId: first(config.clientId, env.AUTH_QONTO_ID, env.QONTO_CLIENT_ID),
    clientSecret: first(config.clientSecret, env.AUTH_QONTO_SECRET, env.QONTO_CLIENT_SECRET),
    stagingToken: first(config.stagingToken, env.AUTH_QONTO_STAGING_TOKEN, env.QONTO_STAGING_TOKEN),
    environment: config.environment ?? environmentFromEnv(env),
    issuer: first(config.issuer, env.AUTH_QONTO_ISSUER),
  };
}

/** Core's reader, with `AUTH_QONTO_ENV` before `QONTO_ENV`; a malformed value throws, naming the variable. */
function environmentFromEnv(env: Env): QontoEnvironment {
  const { environment, problems } = qontoEnvironmentFromEnv(env, {
    envVariables: ['AUTH_QONTO_ENV', 'QONTO_ENV'],
  });
  if (problems.length > 0) throw new QontoConfigError(`Qonto provider: ${problems.join(' ')}`);
  return environment;
}

function first(...values: (string | undefined)[]): string | undefined {
  return values.find((v) => typeof v === 'string' && v !== '');
}
