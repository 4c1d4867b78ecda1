import { isQontoError } from '@qonto-oauth/core';
import type { Response } from 'express';
import { DECLINED_MESSAGE, notConnectedPage } from './views.js';

/**
 * What the person reads when Qonto's redirect names an RFC 6749 error (§4.1.2.1): a known code selects one of these
 * texts, so nothing of the query string (its `error_description` above all) reaches the page.
 */
const QONTO_ERRORS: Record<string, string> = {
  invalid_request: 'Qonto found the sign-in request malformed. Start again from this app.',
  unauthorized_client:
    'Qonto does not let this app sign in this way. Check its settings in the Developer Portal.',
  unsupported_response_type: 'Qonto refused the kind of sign-in this app asked for.',
  invalid_scope:
    "The app asked Qonto for a permission its Qonto app is not allowed: adjust QONTO_SCOPES or the app's scopes in the Developer Portal.",
  server_error: 'Qonto had a problem with the sign-in. Try again in a moment.',
  temporarily_unavailable: 'Qonto cannot sign you in right now. Try again in a moment.',
};

const UNVERIFIED_MESSAGE =
  'The answer Qonto sent back does not match a sign-in this browser started: the link was tampered with, used ' +
  'twice, or opened in another browser. Start again from this app.';

/** The error carried by core's `QontoOAuthError` (`invalid_state`, `access_denied`, `invalid_scope`…), if any. */
function oauthErrorOf(error: unknown): string | undefined {
  if (!isQontoError(error) || error.code !== 'oauth') return undefined;
  const code = (error as { error?: unknown }).error;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Answers a callback that did not end in a connection, and tells whether it did (`false`: the error is not about
 * the callback, let the error page have it). Every page here is the app's own text:
 * - a state that is missing or does not match (core's `invalid_state`, or the state store's refusal, 403): a
 *   forged or replayed callback, whatever its `error=` says;
 * - the consent declined (Passport's 401 failure): `access_denied`;
 * - another `error=` from Qonto: a text chosen by its code, never the server's description (it is logged).
 */
export function sendCallbackOutcome(
  res: Response,
  o: {
    error?: unknown;
    failureStatus?: number | undefined;
    query: Record<string, unknown>;
    /** `connection`: an organization connected from Settings (titles and the way back say so); default `sign-in`. */
    flow?: 'sign-in' | 'connection';
  },
): boolean {
  const code = oauthErrorOf(o.error);
  const connecting = o.flow === 'connection';
  const page = (title: string, message: string) =>
    notConnectedPage({
      title,
      message,
      ...(connecting ? { startAgain: { href: '/settings', label: 'Back to settings' } } : {}),
    });
  if (code === 'invalid_state' || (o.error === undefined && o.failureStatus !== 401)) {
    res
      .status(403)
      .type('html')
      .send(page(`${connecting ? 'Connection' : 'Sign-in'} could not be verified`, UNVERIFIED_MESSAGE));
    return true;
  }
  if (o.error === undefined || code === 'access_denied') {
    res.status(401).type('html').send(page('Connection declined', DECLINED_MESSAGE));
    return true;
  }
  if (code === undefined || o.query.error === undefined) return false;
  console.error(
    `Qonto ended a ${connecting ? 'connection' : 'sign-in'} with error=${JSON.stringify(code.slice(0, 100))}`,
  );
  const known = Object.hasOwn(QONTO_ERRORS, code);
  res
    .status(400)
    .type('html')
    .send(
      page(
        `Qonto ended the ${connecting ? 'connection' : 'sign-in'} with an error`,
        known
          ? `${QONTO_ERRORS[code]} (Error code from Qonto: ${code}.)`
          : `Qonto refused the ${connecting ? 'connection' : 'sign-in'}. Start again from this app; the server log has the error Qonto sent.`,
      ),
    );
  return true;
}
