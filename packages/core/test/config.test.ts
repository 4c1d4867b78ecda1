import { describe, expect, it } from 'vitest';
import {
  DEFAULT_QONTO_SCOPES,
  QontoConfigError,
  QontoOAuthClient,
  qontoConfigFromEnv,
  qontoEnvironmentFromEnv,
  resolveEndpoints,
  sandboxEndpointsAt,
} from '../src/index.js';

const SECRET = 'super-secret-value';
const STAGING = 'staging-token-value';
const base = { QONTO_CLIENT_ID: 'client-1', QONTO_CLIENT_SECRET: SECRET };

function configError(env: Record<string, string | undefined>): QontoConfigError {
  try {
    qontoConfigFromEnv(env);
  } catch (error) {
    expect(error).toBeInstanceOf(QontoConfigError);
    return error as QontoConfigError;
  }
  throw new Error('expected a QontoConfigError');
}

describe('qontoConfigFromEnv', () => {
  it('reads a sandbox configuration, with the default scopes', () => {
    expect(
      qontoConfigFromEnv({
        ...base,
        QONTO_ENV: 'sandbox',
        QONTO_STAGING_TOKEN: STAGING,
        QONTO_REDIRECT_URI: 'http://localhost:3001/auth/qonto/callback',
      }),
    ).toEqual({
      environment: 'sandbox',
      clientId: 'client-1',
      clientSecret: SECRET,
      redirectUri: 'http://localhost:3001/auth/qonto/callback',
      stagingToken: STAGING,
      scopes: [...DEFAULT_QONTO_SCOPES],
    });
  });

  it('reads production without a staging token', () => {
    expect(qontoConfigFromEnv({ ...base, QONTO_ENV: 'production' })).toEqual({
      environment: 'production',
      clientId: 'client-1',
      clientSecret: SECRET,
      scopes: [...DEFAULT_QONTO_SCOPES],
    });
  });

  it('accepts space- or comma-separated scopes', () => {
    const env = { ...base, QONTO_ENV: 'production' };
    expect(qontoConfigFromEnv({ ...env, QONTO_SCOPES: 'openid  organization.read' }).scopes).toEqual([
      'openid',
      'organization.read',
    ]);
    expect(
      qontoConfigFromEnv({ ...env, QONTO_SCOPES: 'openid, organization.read,payment.write' }).scopes,
    ).toEqual(['openid', 'organization.read', 'payment.write']);
  });

  it('uses the emulator at QONTO_SANDBOX_URL, in sandbox mode by default', () => {
    const config = qontoConfigFromEnv({
      ...base,
      QONTO_SANDBOX_URL: 'http://127.0.0.1:4010',
      QONTO_STAGING_TOKEN: STAGING,
    });
    expect(config.environment).toEqual(sandboxEndpointsAt('http://127.0.0.1:4010'));
  });

  it('treats QONTO_ENV=production with QONTO_SANDBOX_URL as an emulator in production mode', () => {
    const config = qontoConfigFromEnv({
      ...base,
      QONTO_ENV: 'production',
      QONTO_SANDBOX_URL: 'http://127.0.0.1:4010/',
    });
    expect(config.environment).toEqual({
      ...sandboxEndpointsAt('http://127.0.0.1:4010'),
      requiresStagingToken: false,
    });
    expect(config.stagingToken).toBeUndefined();
  });

  it('names every missing variable in one error', () => {
    const error = configError({});
    for (const name of ['QONTO_CLIENT_ID', 'QONTO_CLIENT_SECRET', 'QONTO_STAGING_TOKEN']) {
      expect(error.message).toContain(name);
    }
  });

  it('names each malformed variable, never printing a secret', () => {
    const error = configError({
      ...base,
      QONTO_ENV: 'staging',
      QONTO_SANDBOX_URL: 'not a url',
      QONTO_REDIRECT_URI: '/callback',
      QONTO_SCOPES: 'openid "bad"',
      QONTO_STAGING_TOKEN: STAGING,
    });
    for (const name of ['QONTO_ENV', 'QONTO_SANDBOX_URL', 'QONTO_REDIRECT_URI', 'QONTO_SCOPES']) {
      expect(error.message).toContain(name);
    }
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain(STAGING);
  });

  it('refuses a staging token with production, without printing it', () => {
    const error = configError({ ...base, QONTO_ENV: 'production', QONTO_STAGING_TOKEN: STAGING });
    expect(error.message).toMatch(/QONTO_STAGING_TOKEN is set, but QONTO_ENV is production/);
    expect(error.message).not.toContain(STAGING);
  });

  it('reads process.env by default', () => {
    const saved = { ...process.env };
    try {
      Object.assign(process.env, {
        ...base,
        QONTO_ENV: 'production',
        QONTO_SANDBOX_URL: '',
        QONTO_STAGING_TOKEN: '',
      });
      expect(qontoConfigFromEnv().clientId).toBe('client-1');
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
  });
});

describe('qontoEnvironmentFromEnv', () => {
  it('defaults to the sandbox and reads QONTO_ENV and QONTO_SANDBOX_URL without needing credentials', () => {
    expect(qontoEnvironmentFromEnv({})).toEqual({ environment: 'sandbox', name: 'sandbox', problems: [] });
    expect(qontoEnvironmentFromEnv({ QONTO_ENV: ' Production ' })).toEqual({
      environment: 'production',
      name: 'production',
      problems: [],
    });
    expect(
      qontoEnvironmentFromEnv({ QONTO_ENV: 'production', QONTO_SANDBOX_URL: 'http://127.0.0.1:4010' })
        .environment,
    ).toEqual({ ...sandboxEndpointsAt('http://127.0.0.1:4010'), requiresStagingToken: false });
  });

  it('lists malformed variables instead of throwing, and falls back to the sandbox', () => {
    const read = qontoEnvironmentFromEnv({ QONTO_ENV: 'staging', QONTO_SANDBOX_URL: 'not a url' });
    expect(read.environment).toBe('sandbox');
    expect(read.problems).toHaveLength(2);
    expect(read.problems.join(' ')).toMatch(/QONTO_SANDBOX_URL.*QONTO_ENV must be "sandbox" or "production"/);
  });

  it('reads the first variable set among envVariables, and names it in a problem', () => {
    const envVariables = ['AUTH_QONTO_ENV', 'QONTO_ENV'];
    expect(
      qontoEnvironmentFromEnv({ AUTH_QONTO_ENV: 'production', QONTO_ENV: 'sandbox' }, { envVariables }).name,
    ).toBe('production');
    expect(
      qontoEnvironmentFromEnv({ AUTH_QONTO_ENV: '', QONTO_ENV: 'production' }, { envVariables }).name,
    ).toBe('production');
    expect(qontoEnvironmentFromEnv({ AUTH_QONTO_ENV: 'prod' }, { envVariables }).problems).toEqual([
      'AUTH_QONTO_ENV must be "sandbox" or "production", not "prod".',
    ]);
  });
});

describe('qontoConfigFromEnv never throws anything but QontoConfigError', () => {
  it.each([
    ['a number', 42, 'number'],
    ['an object', { value: 'x' }, 'object'],
    ['an array', ['a'], 'an array'],
    ['a boolean', true, 'boolean'],
  ])('names a variable whose value is %s', (_what, value, shown) => {
    for (const name of [
      'QONTO_CLIENT_ID',
      'QONTO_ENV',
      'QONTO_SCOPES',
      'QONTO_SANDBOX_URL',
      'QONTO_STAGING_TOKEN',
    ]) {
      const error = configError({ ...base, QONTO_STAGING_TOKEN: STAGING, [name]: value } as never);
      expect(error.message).toContain(
        `${name} must be a string, as environment variables are (got ${shown})`,
      );
    }
  });

  it('refuses an env that is not an object', () => {
    for (const env of [null, 'QONTO_ENV=sandbox', 42]) {
      expect(() => qontoConfigFromEnv(env as never)).toThrow(QontoConfigError);
      expect(qontoEnvironmentFromEnv(env as never).problems).toHaveLength(1);
    }
  });

  it.each([',', ' , ,', ',\t,'])('refuses a scope list with no scope in it (%j)', (scopes) => {
    const error = configError({ ...base, QONTO_STAGING_TOKEN: STAGING, QONTO_SCOPES: scopes });
    expect(error.message).toContain('QONTO_SCOPES lists no scope');
  });
});

describe('TLS off loopback', () => {
  const env = { ...base, QONTO_STAGING_TOKEN: STAGING };

  it.each([
    'http://127.0.0.1:4010',
    'http://127.8.9.10:4010',
    'http://localhost:4010',
    'http://[::1]:4010',
    'https://qonto-emulator.internal',
  ])('accepts QONTO_SANDBOX_URL=%s', (url) => {
    expect(qontoConfigFromEnv({ ...env, QONTO_SANDBOX_URL: url }).environment).toMatchObject({
      tokenUrl: `${url}/oauth2/token`,
    });
  });

  it.each([
    'http://qonto-sandbox:4010',
    'http://10.0.0.5:4010',
    'http://localhost.evil.example',
    'http://127.0.0.1.nip.io',
  ])('refuses QONTO_SANDBOX_URL=%s over http, saying why and how to opt in', (url) => {
    const error = configError({ ...env, QONTO_SANDBOX_URL: url });
    expect(error.message).toMatch(/QONTO_SANDBOX_URL uses http: on a host that is not loopback/);
    expect(error.message).toContain('QONTO_ALLOW_INSECURE_HTTP=true');
  });

  it('accepts http on another host with QONTO_ALLOW_INSECURE_HTTP=true, carried on the endpoints', () => {
    const { environment } = qontoConfigFromEnv({
      ...env,
      QONTO_SANDBOX_URL: 'http://qonto-sandbox:4010',
      QONTO_ALLOW_INSECURE_HTTP: 'true',
    });
    expect(environment).toMatchObject({ apiBaseUrl: 'http://qonto-sandbox:4010', allowInsecureHttp: true });
    expect(() => resolveEndpoints(environment)).not.toThrow();
    expect(configError({ ...env, QONTO_ALLOW_INSECURE_HTTP: 'yes' }).message).toContain(
      'QONTO_ALLOW_INSECURE_HTTP must be true or false',
    );
  });

  it('refuses custom endpoints over http off loopback, naming the option, unless allowInsecureHttp', () => {
    const remote = sandboxEndpointsAt('https://emulator.example');
    for (const field of ['authorizationUrl', 'tokenUrl', 'apiBaseUrl'] as const) {
      const endpoints = { ...remote, [field]: remote[field].replace('https:', 'http:') };
      expect(() => resolveEndpoints(endpoints)).toThrow(
        new RegExp(`environment.${field} uses http: on a host that is not loopback.*allowInsecureHttp: true`),
      );
      expect(
        () => new QontoOAuthClient({ environment: endpoints, clientId: 'c', clientSecret: 's' } as never),
      ).toThrow(QontoConfigError);
      expect(resolveEndpoints({ ...endpoints, allowInsecureHttp: true })[field]).toMatch(/^http:/);
    }
    expect(() => sandboxEndpointsAt('http://emulator:4010')).toThrow(QontoConfigError);
    expect(sandboxEndpointsAt('http://emulator:4010', { allowInsecureHttp: true })).toMatchObject({
      allowInsecureHttp: true,
    });
  });
});
