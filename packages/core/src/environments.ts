import { QontoConfigError } from './errors.js';

/**
 * Where one Qonto environment lives: the OAuth server and the Business API.
 *
 * Hosts come from https://docs.qonto.com/get-started/business-api/authentication/oauth/sandbox and
 * https://docs.qonto.com/get-started/business-api/urls.
 */
export interface QontoEndpoints {
  /** Browser-facing authorize URL (`GET /oauth2/auth`). */
  authorizationUrl: string;
  /** Token endpoint (`POST /oauth2/token`, form-encoded, `client_secret_post`). */
  tokenUrl: string;
  /** Business API base URL, without a trailing slash; paths such as `/v2/organization` are appended. */
  apiBaseUrl: string;
  /** The `iss` claim of id_tokens issued by this environment's OAuth server, when known. */
  issuer?: string;
  /**
   * RFC 7009 token revocation (`POST /oauth2/revoke`). Qonto's docs do not list it; its OAuth server (Ory Hydra)
   * serves it beside the token endpoint, where real clients call it. When absent, it is `tokenUrl` with `/token`
   * replaced by `/revoke`.
   */
  revocationUrl?: string;
  /**
   * Whether every request to this environment's origins must carry `X-Qonto-Staging-Token`
   * (https://docs.qonto.com/get-started/general/sandbox-access).
   */
  requiresStagingToken: boolean;
}

/**
 * Qonto's two environments.
 *
 * - `sandbox.issuer` is `https://oauth-sandbox.staging.qonto.co`, as seen in the example id_token on
 *   https://docs.qonto.com/api-reference/business-api/authentication/oauth2/create_tokens.
 * - `production.issuer` is `https://oauth.qonto.com`: inferred, not documented by Qonto. Pass your own
 *   {@link QontoEndpoints} if Qonto's production id_tokens say otherwise.
 */
export const QONTO_ENVIRONMENTS: Readonly<{ production: QontoEndpoints; sandbox: QontoEndpoints }> =
  Object.freeze({
    production: Object.freeze({
      authorizationUrl: 'https://oauth.qonto.com/oauth2/auth',
      tokenUrl: 'https://oauth.qonto.com/oauth2/token',
      apiBaseUrl: 'https://thirdparty.qonto.com',
      issuer: 'https://oauth.qonto.com',
      requiresStagingToken: false,
    }),
    sandbox: Object.freeze({
      authorizationUrl: 'https://oauth-sandbox.staging.qonto.co/oauth2/auth',
      tokenUrl: 'https://oauth-sandbox.staging.qonto.co/oauth2/token',
      apiBaseUrl: 'https://thirdparty-sandbox.staging.qonto.co',
      issuer: 'https://oauth-sandbox.staging.qonto.co',
      requiresStagingToken: true,
    }),
  });

/** `'production'`, `'sandbox'`, or explicit endpoints (a local emulator, a proxy). */
export type QontoEnvironment = 'production' | 'sandbox' | QontoEndpoints;

/**
 * The scopes asked for when none are given: a refresh token (`offline_access`), an id_token (`openid`), the
 * member's identity (`membership.read`) and the organization with its accounts (`organization.read`).
 * See https://docs.qonto.com/get-started/business-api/authentication/oauth/available-scopes.
 */
export const DEFAULT_QONTO_SCOPES: readonly string[] = Object.freeze([
  'offline_access',
  'openid',
  'membership.read',
  'organization.read',
]);

function assertHttpUrl(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new QontoConfigError(`${name} is missing: give an absolute http(s) URL.`);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new QontoConfigError(`${name} is not a valid URL: give an absolute http(s) URL such as https://…`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new QontoConfigError(`${name} must be an http(s) URL, not ${url.protocol}`);
  }
  return value;
}

/**
 * Turns an environment name or custom endpoints into validated {@link QontoEndpoints}.
 * Throws {@link QontoConfigError} for an unknown name or a malformed URL.
 */
export function resolveEndpoints(environment: QontoEnvironment): QontoEndpoints {
  if (environment === 'production' || environment === 'sandbox') return QONTO_ENVIRONMENTS[environment];
  if (environment === undefined || environment === null) {
    throw new QontoConfigError("environment is missing: use 'sandbox', 'production' or custom endpoints.");
  }
  if (typeof environment !== 'object') {
    throw new QontoConfigError(
      `environment must be 'sandbox', 'production' or custom endpoints, not ${JSON.stringify(String(environment))}.`,
    );
  }
  assertHttpUrl(environment.authorizationUrl, 'environment.authorizationUrl');
  assertHttpUrl(environment.tokenUrl, 'environment.tokenUrl');
  assertHttpUrl(environment.apiBaseUrl, 'environment.apiBaseUrl');
  if (environment.issuer !== undefined) assertHttpUrl(environment.issuer, 'environment.issuer');
  if (environment.revocationUrl !== undefined) {
    assertHttpUrl(environment.revocationUrl, 'environment.revocationUrl');
  }
  if (typeof environment.requiresStagingToken !== 'boolean') {
    throw new QontoConfigError('environment.requiresStagingToken must be true or false.');
  }
  return { ...environment, apiBaseUrl: environment.apiBaseUrl.replace(/\/+$/, '') };
}

/**
 * Endpoints of a Qonto sandbox emulator (such as `@qonto-oauth/sandbox`) at `baseUrl`: `/oauth2/auth`,
 * `/oauth2/token`, the API at the base, `issuer` = the base without a trailing slash. The staging token is required,
 * as on Qonto's sandbox.
 */
export function sandboxEndpointsAt(baseUrl: string): QontoEndpoints {
  assertHttpUrl(baseUrl, 'sandbox URL');
  const base = baseUrl.replace(/\/+$/, '');
  return {
    authorizationUrl: `${base}/oauth2/auth`,
    tokenUrl: `${base}/oauth2/token`,
    apiBaseUrl: base,
    issuer: base,
    requiresStagingToken: true,
  };
}

/** The distinct origins (scheme://host:port) an environment's requests go to. */
export function endpointOrigins(endpoints: QontoEndpoints): string[] {
  const urls = [endpoints.authorizationUrl, endpoints.tokenUrl, endpoints.apiBaseUrl];
  if (endpoints.revocationUrl !== undefined) urls.push(endpoints.revocationUrl);
  return [...new Set(urls.map((u) => new URL(u).origin))];
}

/**
 * Where to revoke a token: `revocationUrl`, else the token endpoint's `/token` replaced by `/revoke` (true of
 * Qonto's hosts, `https://oauth.qonto.com/oauth2/revoke` and its sandbox twin, and of the emulator). Throws
 * {@link QontoConfigError} when neither gives one.
 */
export function revocationUrlOf(endpoints: QontoEndpoints): string {
  if (endpoints.revocationUrl !== undefined) return endpoints.revocationUrl;
  const url = new URL(endpoints.tokenUrl);
  if (!url.pathname.endsWith('/token')) {
    throw new QontoConfigError(
      `No revocation endpoint: environment.tokenUrl (${url.origin}${url.pathname}) does not end with /token. ` +
        "Set environment.revocationUrl to the OAuth server's RFC 7009 endpoint.",
    );
  }
  url.pathname = `${url.pathname.slice(0, -'/token'.length)}/revoke`;
  return url.href;
}
