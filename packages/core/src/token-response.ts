import { QontoOAuthError, QontoUnexpectedResponseError } from './errors.js';
import { notQontoCause, RECONNECT, RESTART_LOGIN } from './messages.js';
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

/** invalid_scope and unauthorized_client: the app's settings at Qonto do not allow what was asked. */
const NOT_ALLOWED =
  'Likely cause: a grant or scope the app may not use. Fix: check the app in the Developer Portal.';

/**
 * The usual cause of an RFC 6749 error at Qonto's OAuth server and its fix, by `error request` where they differ,
 * else by `error *`. Every key holds a space, so no server-chosen `error` reaches `Object.prototype`.
 * A function, not a module-level table: its template strings would keep it in bundles that never ask for a token.
 */
function hintFor(key: string): string | undefined {
  const hints: Record<string, string> = {
    'invalid_client *':
      'Likely cause: credentials of the other environment? Sandbox and production each have their own; or a wrong ' +
      "secret. Fix: use this environment's client id and secret.",
    'invalid_grant refresh_token': `Likely cause: the refresh token expired (90 days), was revoked, or was rotated out over 60 s ago. Fix: ${RECONNECT}.`,
    'invalid_grant authorization_code': `Likely cause: the code expired (10 min), was used, or belongs to another redirect_uri or PKCE verifier. ${RESTART_LOGIN}`,
    'invalid_scope *': NOT_ALLOWED,
    'unauthorized_client *': NOT_ALLOWED,
    'unauthorized_client revocation':
      "Likely cause: the token is another client's. Fix: revoke it with that client.",
  };
  return hints[key];
}

/**
 * Turns the token endpoint's answer into a {@link TokenSet}, or throws:
 * - an RFC 6749 error body -> {@link QontoOAuthError} with a `hint`, and `reconnectRequired` for `invalid_grant` on
 *   refresh;
 * - a 3xx, HTML, invalid JSON, a missing `access_token` or a bad `expires_in` -> {@link QontoUnexpectedResponseError}.
 *
 * Every server-supplied string is scrubbed of `secrets` first.
 */
export async function parseTokenResponse(
  response: Response,
  o: { grant: TokenGrant; secrets: string[]; now: number; requestedScopes: string[] },
): Promise<TokenSet> {
  const json = await readOAuthAnswer(response, o);
  return readTokenFields(json, { ...o, bad: (what) => notOAuth(200, `with ${what}`, o.grant) });
}

/**
 * Reads the answer of `POST /oauth2/revoke` (RFC 7009): any 2xx is success, whatever its body; an RFC 6749 error
 * body -> {@link QontoOAuthError}; a 3xx or a body that is not JSON -> {@link QontoUnexpectedResponseError}.
 */
export async function readRevocationResponse(response: Response, secrets: string[]): Promise<void> {
  if (response.ok) await discardBody(response);
  else await readOAuthAnswer(response, { grant: 'revocation', secrets });
}

/** The JSON object of a successful answer; anything else thrown as the error it is. */
async function readOAuthAnswer(
  response: Response,
  o: { grant: OAuthRequest; secrets: string[] },
): Promise<Record<string, unknown>> {
  const { status } = response;
  if (isRedirect(status)) {
    await discardBody(response);
    throw notOAuth(status, `(${describeRedirect(response, response.url, o.secrets)})`, o.grant);
  }
  const text = await readBodyText(response, `the request to ${ACTIONS[o.grant]}`, {
    maxBytes: MAX_TOKEN_RESPONSE_BYTES,
  });
  const json = parseJsonObject(text);
  if (json === undefined) throw notOAuth(status, `with ${describeBody(response, text, o.secrets)}`, o.grant);
  if (typeof json.error === 'string') {
    const error = redactSecrets(json.error, o.secrets).slice(0, 100);
    const errorDescription =
      typeof json.error_description === 'string'
        ? redactSecrets(json.error_description, o.secrets).slice(0, 500)
        : undefined;
    const hint = hintFor(`${error} ${o.grant}`) ?? hintFor(`${error} *`);
    throw new QontoOAuthError(
      `Qonto refused to ${ACTIONS[o.grant]}: ${error}${errorDescription ? ` (${errorDescription})` : ''}.${hint ? ` ${hint}` : ''}`,
      {
        error,
        errorDescription,
        hint,
        reconnectRequired: error === 'invalid_grant' && o.grant === 'refresh_token',
        status,
      },
    );
  }
  if (!response.ok) throw notOAuth(status, 'without an RFC 6749 error body', o.grant);
  return json;
}

/** Whatever is wrong with an answer that is not an OAuth answer, the usual cause is where it came from. */
function notOAuth(status: number, what: string, request: OAuthRequest): QontoUnexpectedResponseError {
  return new QontoUnexpectedResponseError(
    `Qonto's OAuth server answered ${status} ${what} instead of ${request === 'revocation' ? 'an RFC 7009 answer' : 'a token response'}. ${notQontoCause(status)}`,
    { status },
  );
}
