import { QONTO_ENVIRONMENTS, type QontoEnvironment, resolveEndpoints } from './environments.js';
import { QontoConfigError, QontoUnexpectedResponseError } from './errors.js';
import { explain } from './messages.js';
import { parseJsonObject } from './response-body.js';

/**
 * How far the clocks of this machine and Qonto's may disagree when checking an id_token's `exp`, in seconds: the same
 * minute the token manager refreshes ahead by.
 */
export const ID_TOKEN_CLOCK_SKEW_SECONDS = 60;

/** What an id_token is checked against. */
export interface IdTokenExpectations {
  /** Your app's client id: the token's `aud` must contain it (and its `azp`, when present, be it). */
  clientId: string;
  /**
   * The OAuth server's issuer: when given, the token's `iss` must equal it. {@link idTokenIssuer} gives the one to
   * check for an environment (the sandbox's is documented; production's only when you set it).
   */
  issuer?: string | undefined;
  /** Clock in epoch milliseconds (default `Date.now`). */
  now?: (() => number) | undefined;
  /** Leeway for `exp`, in seconds (default {@link ID_TOKEN_CLOCK_SKEW_SECONDS}). */
  clockSkewSeconds?: number | undefined;
}

/**
 * The claims of an id_token, once checked: `alg` is not `none`, `aud` contains `clientId` (and `azp`, when present,
 * is it), `exp` is in the future (within the clock skew), and `iss` equals `issuer` when one is given. Throws
 * {@link QontoUnexpectedResponseError} naming the claim that failed (never the token or a claim's value).
 *
 * The signature is NOT checked: OpenID Connect allows that for an id_token received directly from the token
 * endpoint over TLS (Core 1.0, section 3.1.3.7, item 6). So only read an id_token that came straight from
 * `exchangeCode` or `refresh`, never one a browser handed you.
 */
export function readIdTokenClaims(idToken: string, expect: IdTokenExpectations): Record<string, unknown> {
  if (typeof expect?.clientId !== 'string' || expect.clientId === '') {
    throw new QontoConfigError(
      "Checking an id_token needs { clientId }: the app's, which its `aud` must contain.",
    );
  }
  const parts = typeof idToken === 'string' ? idToken.split('.') : [];
  const header = parts.length === 3 ? decodePart(parts[0]) : undefined;
  const claims = header === undefined ? undefined : decodePart(parts[1]);
  if (header === undefined || claims === undefined) throw refused('is not a readable JWT');
  if (typeof header.alg !== 'string' || /^(none)?$/i.test(header.alg))
    throw refused('is unsigned (alg "none" or none)');
  const { aud, azp, exp, iss } = claims;
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!audiences.includes(expect.clientId)) {
    throw refused('is for another client (its aud does not contain this clientId)');
  }
  if (azp !== undefined && azp !== expect.clientId) {
    throw refused('is for another client (its azp)');
  }
  const now = (expect.now ?? Date.now)();
  const skewMs = (expect.clockSkewSeconds ?? ID_TOKEN_CLOCK_SKEW_SECONDS) * 1000;
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw refused('has no valid exp');
  if (exp * 1000 + skewMs <= now) {
    throw refused('has expired (exp, beyond the clock skew)');
  }
  if (expect.issuer !== undefined && iss !== expect.issuer) {
    throw refused(`was not issued by ${expect.issuer} (its iss)`);
  }
  return claims;
}

/**
 * The issuer to check id_tokens of `environment` against: the sandbox's (documented by Qonto), or custom endpoints'
 * `issuer` (an emulator's is its URL). `undefined` for `'production'`: Qonto does not document production's issuer
 * (`QONTO_ENVIRONMENTS.production.issuer` is inferred), so its `iss` is checked only when you pass custom endpoints
 * with the `issuer` you expect.
 */
export function idTokenIssuer(environment: QontoEnvironment): string | undefined {
  if (environment === 'production' || environment === QONTO_ENVIRONMENTS.production) return undefined;
  return resolveEndpoints(environment).issuer;
}

function decodePart(part: string | undefined): Record<string, unknown> | undefined {
  if (part === undefined || !/^[A-Za-z0-9_-]+$/.test(part)) return undefined;
  try {
    // atob takes base64 without its padding (WHATWG forgiving-base64).
    const binary = atob(part.replace(/-/g, '+').replace(/_/g, '/'));
    return parseJsonObject(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
  } catch {
    // atob refused it (not base64url).
    return undefined;
  }
}

function refused(why: string): QontoUnexpectedResponseError {
  return new QontoUnexpectedResponseError(
    explain(
      `The id_token from Qonto's token endpoint ${why}`,
      'endpoints of another OAuth server, a clientId of another app or environment, or a replaced token',
      "check the endpoints, the clientId (sandbox and production differ) and this machine's clock, then sign in again",
    ),
  );
}
