import {
  QontoConfigError,
  type QontoEnvConfig,
  type QontoEnvironment,
  type QontoProfile,
  qontoConfigFromEnv,
  type RefreshCoordination,
} from '@qonto-oauth/core';

/** Options of {@link qonto}. Give `clientId` and `clientSecret`, or none of the credentials to read `QONTO_*`. */
export interface QontoOptions {
  /** The app's client id for this environment (Developer Portal; sandbox and production differ). */
  clientId?: string | undefined;
  /** The app's client secret for this environment; sent in the token request body only. */
  clientSecret?: string | undefined;
  /**
   * `'sandbox'` (default), `'production'`, or explicit endpoints (e.g. core's `sandboxEndpointsAt(url)` for the
   * local emulator).
   */
  environment?: QontoEnvironment | undefined;
  /** Required for the sandbox (Developer Portal > your app > Sandbox credentials), refused for production. */
  stagingToken?: string | undefined;
  /** Scopes to ask for (default: core's `DEFAULT_QONTO_SCOPES`). `signIn.social({ scopes })` adds to them. */
  scopes?: string[] | undefined;
  /**
   * Treat the member's email as verified (default `true`): Qonto verifies its users' emails, so a Qonto sign-in
   * links to an existing user with the same (verified) email, like a trusted provider. Set `false` to make Better
   * Auth link only where you list `qonto` in `account.accountLinking.trustedProviders`.
   */
  trustEmail?: boolean | undefined;
  /**
   * Where the `QONTO_*` variables are read from when `clientId` and `clientSecret` are not given (default
   * `process.env`).
   */
  env?: Record<string, string | undefined> | undefined;
  /** The fetch core wraps (default `globalThis.fetch`): a proxy agent, instrumentation. */
  fetch?: typeof fetch | undefined;
  /**
   * A store shared by every process of the app that coordinates refreshes (`@qonto-oauth/redis`'s
   * `RedisTokenStore`): one rotation per refresh token across processes, not only within each. Create it once per
   * process. Redis then holds the lock and, for 60 s, the rotated set under an HMAC of the replaced refresh token
   * keyed with the client secret, never the token itself.
   */
  coordination?: RefreshCoordination | undefined;
  /** Only existing users sign in with Qonto: a member without a user is refused (`error=signup_disabled`). */
  disableSignUp?: boolean | undefined;
  /**
   * A new user is created only when the sign-in asks for it (`signIn.social({ provider: 'qonto', requestSignUp: true
   * })`); otherwise a member without a user is refused, as `disableSignUp` does.
   */
  disableImplicitSignUp?: boolean | undefined;
  /** Updates an existing user from the Qonto profile (name, and what `mapProfileToUser` gives) at each sign-in. */
  overrideUserInfoOnSignIn?: boolean | undefined;
  /**
   * User fields from the Qonto profile, added to or replacing the plugin's (`name`, `email`, `emailVerified`), as
   * Better Auth's own providers take it: e.g. `(profile) => ({ name: profile.organization?.legalName })`.
   */
  mapProfileToUser?:
    | ((profile: QontoProfile) => Record<string, unknown> | Promise<Record<string, unknown>>)
    | undefined;
}

/** How new users and their fields come from a Qonto sign-in, as Better Auth's providers take them. */
export type QontoSignUpOptions = Pick<
  QontoOptions,
  'disableSignUp' | 'disableImplicitSignUp' | 'overrideUserInfoOnSignIn' | 'mapProfileToUser'
>;

/** The configuration the plugin runs with: checked, every value known. */
export interface ResolvedQontoOptions {
  environment: QontoEnvironment;
  clientId: string;
  clientSecret: string;
  stagingToken?: string;
  /** `undefined`: core's defaults. */
  scopes: string[] | undefined;
  trustEmail: boolean;
  fetch: typeof fetch | undefined;
  coordination: RefreshCoordination | undefined;
  signUp: QontoSignUpOptions;
}

/**
 * The options, or the `QONTO_*` variables when no credential was given, as core reads them. Throws a
 * {@link QontoConfigError} naming what to fix; the rest (staging token against environment, scopes) is checked
 * when core's client is built, still inside `qonto()`.
 */
export function resolveQontoOptions(o: QontoOptions = {}): ResolvedQontoOptions {
  if (o === null || typeof o !== 'object') {
    throw new QontoConfigError(
      'qonto() takes an options object: { clientId, clientSecret, environment, stagingToken }.',
    );
  }
  if (o.mapProfileToUser !== undefined && typeof o.mapProfileToUser !== 'function') {
    throw new QontoConfigError('qonto(): mapProfileToUser must be a function (profile) => user fields.');
  }
  const signUp: QontoSignUpOptions = {
    disableSignUp: o.disableSignUp,
    disableImplicitSignUp: o.disableImplicitSignUp,
    overrideUserInfoOnSignIn: o.overrideUserInfoOnSignIn,
    mapProfileToUser: o.mapProfileToUser,
  };
  const common = { trustEmail: o.trustEmail ?? true, fetch: o.fetch, coordination: o.coordination, signUp };
  if (o.clientId === undefined && o.clientSecret === undefined) {
    const { redirectUri: _ignored, ...fromEnv } = qontoConfigFromEnv(o.env);
    return { ...fromEnv, ...pick(o), ...common };
  }
  const missing = (['clientId', 'clientSecret'] as const).filter(
    (name) => typeof o[name] !== 'string' || o[name] === '',
  );
  if (missing.length > 0) {
    throw new QontoConfigError(
      `qonto() is missing ${missing.join(' and ')}: give both clientId and clientSecret (Developer Portal > your ` +
        'app, for the environment you use), or neither to read QONTO_CLIENT_ID and QONTO_CLIENT_SECRET.',
    );
  }
  const resolved: ResolvedQontoOptions = {
    environment: o.environment ?? 'sandbox',
    clientId: o.clientId!,
    clientSecret: o.clientSecret!,
    scopes: o.scopes,
    ...common,
  };
  if (o.stagingToken !== undefined && o.stagingToken !== '') resolved.stagingToken = o.stagingToken;
  return resolved;
}

/** What an explicit option overrides in the environment's configuration. */
function pick(o: QontoOptions): Partial<QontoEnvConfig> {
  const picked: Partial<QontoEnvConfig> = {};
  if (o.environment !== undefined) picked.environment = o.environment;
  if (o.stagingToken !== undefined) picked.stagingToken = o.stagingToken;
  if (o.scopes !== undefined) picked.scopes = o.scopes;
  return picked;
}
