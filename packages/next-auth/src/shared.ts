/**
 * What the NextAuth v4 entry and the Auth.js v5 entry have in common: the Qonto options, the authorize
 * parameters, the button style, the profile mapping, and the two calls that go through core (code exchange and
 * profile). Internal: each entry re-exports what users need.
 */
import {
  DEFAULT_QONTO_SCOPES,
  fetchQontoProfile,
  QontoApiClient,
  QontoConfigError,
  type QontoEndpoints,
  type QontoEnvironment,
  QontoOAuthClient,
  type QontoProfile,
  qontoAuthorizationParams,
  toTokenResponse,
} from '@qonto-oauth/core';

/** The options both providers add to the framework's own provider options. */
export interface QontoProviderOptions {
  /**
   * `'production'`, `'sandbox'`, or explicit endpoints (a local emulator such as `@qonto-oauth/sandbox`).
   * Sandbox and production have different hosts and different credentials
   * (https://docs.qonto.com/get-started/business-api/authentication/oauth/sandbox).
   */
  environment?: QontoEnvironment | undefined;
  /**
   * The sandbox's `X-Qonto-Staging-Token` (Developer Portal > your app > Sandbox credentials). Required for the
   * sandbox, refused for production (https://docs.qonto.com/get-started/general/sandbox-access). Kept in a
   * closure: it never appears on the provider object the frameworks print in their debug logs.
   */
  stagingToken?: string | undefined;
  /**
   * The scopes to ask for, as a space-separated string or an array (default `offline_access openid
   * membership.read organization.read`). `offline_access` brings a refresh token, `openid` an id_token,
   * `membership.read` the member's name and email
   * (https://docs.qonto.com/get-started/business-api/authentication/oauth/available-scopes).
   */
  scope?: string | string[] | undefined;
  /** Locks the consent to one organization: Qonto then skips its organization picker. */
  organizationId?: string | undefined;
}

/** The keys of {@link QontoProviderOptions}, which must not reach the provider object the frameworks log. */
const QONTO_OPTION_KEYS: ReadonlySet<string> = new Set([
  'environment',
  'stagingToken',
  'scope',
  'organizationId',
]);

/**
 * The user's config without the Qonto-only options (the staging token above all) and without `undefined`
 * values: NextAuth v4 merges `options` over the provider with `Object.assign`, so an `undefined` would erase a
 * default, and both frameworks print the merged provider in debug logs.
 */
export function frameworkOptions<T extends object>(config: T): T {
  const options: Record<PropertyKey, unknown> = {};
  for (const key of Reflect.ownKeys(config)) {
    const value = (config as Record<PropertyKey, unknown>)[key];
    if (value === undefined || (typeof key === 'string' && QONTO_OPTION_KEYS.has(key))) continue;
    options[key] = value;
  }
  return options as T;
}

/** The `scope` parameter of the authorize URL: space-separated, the defaults when none is given. */
export function scopeParameter(scope: string | string[] | undefined): string {
  const scopes = scope === undefined ? [...DEFAULT_QONTO_SCOPES] : Array.isArray(scope) ? scope : [scope];
  const parameter = scopes
    .flatMap((s) => s.split(/[\s,]+/))
    .filter((s) => s !== '')
    .join(' ');
  if (parameter === '') {
    throw new QontoConfigError(
      `scope is empty: leave it out for the defaults (${DEFAULT_QONTO_SCOPES.join(' ')}) or list the scopes you need.`,
    );
  }
  return parameter;
}

/**
 * The authorize URL's parameters (https://docs.qonto.com/get-started/business-api/authentication/oauth/login-endpoint).
 * State and PKCE are added by the framework, from `checks`.
 */
export function authorizationParams(o: QontoProviderOptions): Record<string, string> {
  return {
    response_type: 'code',
    scope: scopeParameter(o.scope),
    ...qontoAuthorizationParams({ organizationId: o.organizationId }),
  };
}

/**
 * A white "Q" mark, inline so the sign-in page loads no image from the network (Auth.js would otherwise fetch
 * `https://authjs.dev/img/providers/qonto.svg`).
 */
export const QONTO_LOGO: string = `data:image/svg+xml,${encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><path fill="#fff" fill-rule="evenodd" ' +
    'd="M12 2a10 10 0 1 0 5.9 18.07l1.97 1.97 2.12-2.12-1.97-1.97A10 10 0 0 0 12 2Zm0 3.5a6.5 6.5 0 0 1 ' +
    '5.38 10.15l-2.1-2.1-2.12 2.12 2.1 2.1A6.5 6.5 0 1 1 12 5.5Z"/></svg>',
)}`;

/** Qonto's near-black button with white text. */
export const QONTO_BUTTON = { logo: QONTO_LOGO, bg: '#1d1d1b', text: '#ffffff' } as const;

/**
 * The user the frameworks create from a Qonto profile: the standard `{ id, name, email, image }` (Qonto has no
 * avatar) plus the organization the member consented for. `id` is the membership id (one per user and
 * organization), else the id_token `sub`.
 */
export interface QontoUser {
  id: string;
  name: string | null;
  email: string | null;
  image: null;
  /** The organization the consent was given for, when `organization.read` was granted. */
  organizationId: string | null;
  organizationSlug: string | null;
  organizationName: string | null;
}

/** Maps core's {@link QontoProfile} to the user shape of both frameworks. */
export function qontoUser(profile: QontoProfile): QontoUser {
  return {
    id: profile.id,
    name: profile.name ?? null,
    email: profile.email ?? null,
    image: null,
    organizationId: profile.organization?.id ?? null,
    organizationSlug: profile.organization?.slug ?? null,
    organizationName: profile.organization?.legalName ?? null,
  };
}

/**
 * The provider fields both frameworks take as they are: id, explicit authorize URL and scopes, PKCE and state,
 * `client_secret_post` (the only client authentication Qonto documents), the profile mapping, the button, and the
 * user's options without the Qonto-only ones.
 */
export function commonProviderFields<C extends QontoProviderOptions>(config: C, endpoints: QontoEndpoints) {
  return {
    id: 'qonto',
    name: 'Qonto',
    type: 'oauth' as const,
    authorization: { url: endpoints.authorizationUrl, params: authorizationParams(config) },
    client: { token_endpoint_auth_method: 'client_secret_post' as const },
    checks: ['pkce' as const, 'state' as const],
    profile: (profile: QontoProfile): QontoUser => qontoUser(profile),
    style: { ...QONTO_BUTTON },
    options: frameworkOptions(config),
  };
}

/** What the code exchange needs; every secret arrives per call, none is stored. */
export interface CodeExchange {
  environment: QontoEnvironment;
  stagingToken: string | undefined;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  code: string;
  codeVerifier: string | undefined;
  /** The provider's `scope` option: what the token set records when Qonto's answer lists none. */
  scope: string | string[] | undefined;
  /** The transport under core's (Auth.js: the user's `[customFetch]`); the global fetch by default. */
  fetch?: typeof fetch | undefined;
}

/**
 * Trades the authorization code for tokens through core (staging header, `client_secret_post`, typed errors
 * whose messages say what to fix) and returns the RFC 6749 token response the frameworks expect.
 */
export async function exchangeCodeThroughCore(o: CodeExchange): Promise<ReturnType<typeof toTokenResponse>> {
  const client = new QontoOAuthClient({
    environment: o.environment,
    clientId: requireCredential(o.clientId, 'clientId'),
    clientSecret: requireCredential(o.clientSecret, 'clientSecret'),
    redirectUri: o.redirectUri,
    scopes: scopeParameter(o.scope).split(' '),
    stagingToken: o.stagingToken,
    fetch: o.fetch,
  });
  const tokens = await client.exchangeCode({
    code: o.code,
    redirectUri: o.redirectUri,
    ...(o.codeVerifier === undefined ? {} : { codeVerifier: o.codeVerifier }),
  });
  return toTokenResponse(tokens);
}

/**
 * Builds the profile through core: `GET /v2/membership` and `GET /v2/organization` with the staging header,
 * plus the id_token's `sub`, once core checked its claims against `clientId` and the environment's issuer. Qonto
 * has no userinfo endpoint.
 */
export function fetchProfileThroughCore(o: {
  environment: QontoEnvironment;
  stagingToken: string | undefined;
  clientId: string | undefined;
  accessToken: string | undefined;
  idToken: string | undefined;
  fetch?: typeof fetch | undefined;
}): Promise<QontoProfile> {
  const api = new QontoApiClient({
    environment: o.environment,
    // An empty token is refused by QontoApiClient with its own explanation.
    tokens: o.accessToken ?? '',
    stagingToken: o.stagingToken,
    fetch: o.fetch,
  });
  return fetchQontoProfile(api, o.idToken === undefined ? {} : { idToken: o.idToken, clientId: o.clientId });
}

function requireCredential(value: string | undefined, name: 'clientId' | 'clientSecret'): string {
  if (typeof value === 'string' && value !== '') return value;
  const variable = name === 'clientId' ? 'AUTH_QONTO_ID' : 'AUTH_QONTO_SECRET';
  throw new QontoConfigError(
    `The Qonto provider has no ${name}: pass it to Qonto({ ${name} }) (with Auth.js, or set ${variable}). ` +
      'Use the credentials of the environment you sign in to: sandbox and production apps differ.',
  );
}
