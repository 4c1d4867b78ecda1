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
  /**
   * Accept `http:` URLs on hosts other than loopback (127.0.0.0/8, `localhost`, `[::1]`), e.g. an emulator in a
   * test network reached by its container name. Off by default: over plain HTTP anyone on the path reads the client
   * secret, the codes and the tokens, so only loopback may skip TLS unless you say so here.
   */
  allowInsecureHttp?: boolean;
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
export const DEFAULT_QONTO_SCOPES: readonly string[] = /* @__PURE__ */ Object.freeze([
  'offline_access',
  'openid',
  'membership.read',
  'organization.read',
]);

/** Loopback hosts, the only ones reached over plain `http:` without `allowInsecureHttp`. */
export function isLoopbackHost(hostname: string): boolean {
  return (
    hostname === 'localhost' || hostname === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(hostname)
  );
}

/**
 * Why `value` cannot be an endpoint URL, or `undefined` when it can: an absolute `https:` URL, or `http:` on a
 * loopback host (any host with `allowInsecureHttp`). Never quotes the value beyond its scheme.
 */
export function endpointUrlProblem(
  value: unknown,
  o: { allowInsecureHttp?: boolean | undefined } = {},
): string | undefined {
  if (typeof value !== 'string' || !URL.canParse(value)) {
    return `is ${value ? 'not a valid URL' : 'missing'}: give an absolute https URL such as https://…`;
  }
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return `must be an https URL, not ${url.protocol}`;
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname) && o.allowInsecureHttp !== true) {
    return (
      'uses http: on a host that is not loopback, where anyone on the path reads the client secret, codes and ' +
      'tokens. Fix: use https:, or for a test network (an emulator reached by its container name) opt in with ' +
      'allowInsecureHttp: true (QONTO_ALLOW_INSECURE_HTTP=true)'
    );
  }
  return undefined;
}

function assertEndpointUrl(
  value: unknown,
  name: string,
  o: { allowInsecureHttp?: boolean | undefined },
): void {
  const problem = endpointUrlProblem(value, o);
  if (problem !== undefined) throw new QontoConfigError(`${name} ${problem}.`);
}

/**
 * Turns an environment name or custom endpoints into validated {@link QontoEndpoints}.
 * Throws {@link QontoConfigError} for an unknown name or a malformed URL.
 */
export function resolveEndpoints(environment: QontoEnvironment): QontoEndpoints {
  if (environment === 'production' || environment === 'sandbox') return QONTO_ENVIRONMENTS[environment];
  // The built-in tables, resolved once already: keep their identity (production's issuer is known to be inferred).
  if (environment === QONTO_ENVIRONMENTS.production || environment === QONTO_ENVIRONMENTS.sandbox) {
    return environment;
  }
  if (environment === undefined || environment === null) {
    throw new QontoConfigError("environment is missing: use 'sandbox', 'production' or custom endpoints.");
  }
  if (typeof environment !== 'object') {
    throw new QontoConfigError(
      `environment must be 'sandbox', 'production' or custom endpoints, not ${JSON.stringify(String(environment))}.`,
    );
  }
  const { allowInsecureHttp } = environment;
  for (const key of ['allowInsecureHttp', 'requiresStagingToken'] as const) {
    const value = environment[key];
    if (typeof value !== 'boolean' && (value !== undefined || key === 'requiresStagingToken')) {
      throw new QontoConfigError(`environment.${key} must be true or false.`);
    }
  }
  for (const key of ['authorizationUrl', 'tokenUrl', 'apiBaseUrl', 'revocationUrl', 'issuer'] as const) {
    const optional = key === 'revocationUrl' || key === 'issuer';
    if (optional && environment[key] === undefined) continue;
    // The issuer is only compared with id_tokens' `iss`, never fetched: any http(s) URL will do.
    assertEndpointUrl(environment[key], `environment.${key}`, {
      allowInsecureHttp: key === 'issuer' || allowInsecureHttp,
    });
  }
  return { ...environment, apiBaseUrl: environment.apiBaseUrl.replace(/\/+$/, '') };
}

/**
 * Endpoints of a Qonto sandbox emulator (such as `@qonto-oauth/sandbox`) at `baseUrl`: `/oauth2/auth`,
 * `/oauth2/token`, the API at the base, `issuer` = the base without a trailing slash. The staging token is required,
 * as on Qonto's sandbox. `http:` is accepted on loopback hosts only, unless `allowInsecureHttp` (a test network).
 */
export function sandboxEndpointsAt(
  baseUrl: string,
  o: { allowInsecureHttp?: boolean | undefined } = {},
): QontoEndpoints {
  assertEndpointUrl(baseUrl, 'The sandbox URL', o);
  const base = baseUrl.replace(/\/+$/, '');
  const endpoints: QontoEndpoints = {
    authorizationUrl: `${base}/oauth2/auth`,
    tokenUrl: `${base}/oauth2/token`,
    apiBaseUrl: base,
    issuer: base,
    requiresStagingToken: true,
  };
  if (o.allowInsecureHttp === true) endpoints.allowInsecureHttp = true;
  return endpoints;
}

/**
 * The origins that receive `X-Qonto-Staging-Token` when the environment requires it: the token endpoint's (and the
 * revocation endpoint's, its twin) and the API's, never the authorization URL's (only browsers visit it, and they
 * cannot send the header).
 */
export function stagingTokenOrigins(endpoints: QontoEndpoints): string[] {
  return originsOf([endpoints.tokenUrl, endpoints.apiBaseUrl, endpoints.revocationUrl]);
}

/** The distinct origins (scheme://host:port) an environment's URLs point at, the authorization URL's included. */
export function endpointOrigins(endpoints: QontoEndpoints): string[] {
  return originsOf([
    endpoints.authorizationUrl,
    endpoints.tokenUrl,
    endpoints.apiBaseUrl,
    endpoints.revocationUrl,
  ]);
}

function originsOf(urls: (string | undefined)[]): string[] {
  return [...new Set(urls.flatMap((url) => (url === undefined ? [] : [new URL(url).origin])))];
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
