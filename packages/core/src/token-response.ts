import { QontoOAuthError, QontoUnexpectedResponseError } from './errors.js';
import { explain } from './messages.js';
import { redactSecrets } from './redact.js';
import {
  describeBody,
  describeRedirect,
  discardBody,
  isRedirect,
  MAX_TOKEN_RESPONSE_BYTES,
  parseJsonObject,
  readBodyText,
} from './response-body.js';
import { readTokenFields, type TokenSet } from './tokens.js';

/** Which token request an answer belongs to: the hints differ. */
export type TokenGrant = 'authorization_code' | 'refresh_token';

/** The OAuth requests whose error answers core reads: the two grants, and token revocation. */
type OAuthRequest = TokenGrant | 'revocation';

const ACTIONS: Record<OAuthRequest, string> = {
  authorization_code: 'exchange the authorization code',
  refresh_token: 'refresh the tokens',
  revocation: 'revoke the token',
};

const TOKEN_DOC = 'https://docs.qonto.com/api-reference/business-api/authentication/oauth2/create_tokens';

/**
 * Turns the token endpoint's answer into a {@link TokenSet}, or throws:
 * - an RFC 6749 error body → {@link QontoOAuthError} with a `hint`, and `reconnectRequired` for `invalid_grant` on
 *   refresh;
 * - a 3xx, HTML, invalid JSON, a missing `access_token` or a bad `expires_in` → {@link QontoUnexpectedResponseError}.
 *
 * Every server-supplied string is scrubbed of `secrets` first.
 */
export async function parseTokenResponse(
  response: Response,
  o: { grant: TokenGrant; secrets: string[]; now: number; requestedScopes: string[] },
): Promise<TokenSet> {
  const { status } = response;
  if (isRedirect(status)) {
    await discardBody(response);
    throw notATokenResponse(status, `(${describeRedirect(response, response.url, o.secrets)})`);
  }
  const text = await readBodyText(response, 'the token request', { maxBytes: MAX_TOKEN_RESPONSE_BYTES });
  const json = parseJsonObject(text);
  if (json === undefined) {
    throw notATokenResponse(status, `with ${describeBody(response, text, o.secrets)}`);
  }
  if (typeof json.error === 'string' || !response.ok) throw oauthError(json, status, o);
  return readTokenFields(json, { ...o, bad: (what) => notATokenResponse(200, `with ${what}`) });
}

/**
 * Reads the answer of `POST /oauth2/revoke` (RFC 7009): any 2xx is success, whatever its body; an RFC 6749 error
 * body → {@link QontoOAuthError}; a 3xx or a body that is not JSON → {@link QontoUnexpectedResponseError}.
 */
export async function readRevocationResponse(response: Response, secrets: string[]): Promise<void> {
  const { status } = response;
  if (response.ok) {
    await discardBody(response);
    return;
  }
  if (isRedirect(status)) {
    await discardBody(response);
    throw notATokenResponse(status, `(${describeRedirect(response, response.url, secrets)})`, 'revocation');
  }
  const text = await readBodyText(response, 'the revocation request', { maxBytes: MAX_TOKEN_RESPONSE_BYTES });
  const json = parseJsonObject(text);
  if (json === undefined) {
    throw notATokenResponse(status, `with ${describeBody(response, text, secrets)}`, 'revocation');
  }
  throw oauthError(json, status, { grant: 'revocation', secrets });
}

/** Whatever is wrong with an answer that is not a token response, the usual cause is where it came from. */
function notATokenResponse(
  status: number,
  what: string,
  request: 'token' | 'revocation' = 'token',
): QontoUnexpectedResponseError {
  return new QontoUnexpectedResponseError(
    explain(
      request === 'token'
        ? `Qonto's token endpoint answered ${status} ${what} instead of a token response`
        : `Qonto's revocation endpoint answered ${status} ${what} instead of an RFC 7009 answer`,
      "tokenUrl points at a server that is not Qonto's OAuth server, or a proxy intercepts or redirects the request",
      `check the environment's endpoints (production: https://oauth.qonto.com/oauth2/token). See ${TOKEN_DOC}`,
    ),
    { status },
  );
}

function oauthError(
  json: Record<string, unknown>,
  status: number,
  o: { grant: OAuthRequest; secrets: string[] },
): QontoOAuthError | QontoUnexpectedResponseError {
  if (typeof json.error !== 'string') {
    return notATokenResponse(
      status,
      'without an RFC 6749 error body',
      o.grant === 'revocation' ? 'revocation' : 'token',
    );
  }
  const error = redactSecrets(json.error, o.secrets).slice(0, 100);
  const errorDescription =
    typeof json.error_description === 'string'
      ? redactSecrets(json.error_description, o.secrets).slice(0, 500)
      : undefined;
  const reconnectRequired = error === 'invalid_grant' && o.grant === 'refresh_token';
  const hint = hintFor(error, o.grant);
  const action = ACTIONS[o.grant];
  return new QontoOAuthError(
    `Qonto refused to ${action}: ${error}${errorDescription ? ` (${errorDescription})` : ''}.` +
      (hint ? ` ${hint}` : ''),
    { error, errorDescription, hint, reconnectRequired, status },
  );
}

/** The usual cause of each RFC 6749 error at Qonto's token endpoint, and what to do. */
function hintFor(error: string, grant: OAuthRequest): string | undefined {
  if (grant === 'revocation' && error === 'unauthorized_client') {
    return 'Likely cause: the token was issued to another client. Fix: revoke it with the client that obtained it.';
  }
  switch (error) {
    case 'invalid_client':
      return (
        'Likely cause: credentials of the other environment? Sandbox and production have different client ids ' +
        'and secrets (Developer Portal, toggle at the top right), or the client secret is wrong. Fix: use the ' +
        "credentials of this environment's app."
      );
    case 'invalid_grant':
      return grant === 'refresh_token'
        ? 'The refresh token expired (90 days), was revoked, or was rotated out more than 60 s ago. Fix: the ' +
            'user must connect with Qonto again.'
        : 'The code expired (10 minutes), was already used, or was issued for another redirect_uri or PKCE ' +
            'verifier. Fix: start the authorization again and exchange the code once, with the same redirect_uri.';
    case 'invalid_scope':
      return "Likely cause: a scope the app's use case does not allow. Fix: check the app's scopes in the Developer Portal.";
    case 'unauthorized_client':
      return 'Likely cause: the app is not allowed this grant or scope. Fix: check the app in the Developer Portal.';
    default:
      return undefined;
  }
}
