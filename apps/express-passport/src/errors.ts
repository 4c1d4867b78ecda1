import { isQontoError, type QontoError } from '@qonto-oauth/core';
import { errorPage } from './views.js';

const TITLES: Record<QontoError['code'], string> = {
  config: 'The app is misconfigured',
  staging_gate: "Qonto's sandbox gate answered instead of the API",
  oauth: 'Qonto refused the connection',
  api: 'Qonto refused a request',
  missing_scope: 'The connection lacks a Qonto permission',
  rate_limited: 'Too many requests to Qonto',
  network: 'Qonto could not be reached',
  timeout: 'Qonto did not answer in time',
  unexpected_response: 'Qonto answered something unexpected',
  token_store: 'The stored Qonto connection could not be read',
  webhook_signature: 'A Qonto webhook delivery could not be verified',
};

function statusOf(error: QontoError & { error?: string; status?: number }): number {
  switch (error.code) {
    case 'oauth':
      // invalid_client is the app's credentials, not the user's doing; invalid_grant means "start again".
      return error.error === 'invalid_client' ? 502 : 401;
    case 'rate_limited':
      return 429;
    case 'timeout':
      return 504;
    case 'config':
      return 500;
    default:
      return 502;
  }
}

/**
 * The error page for anything a route threw: core's message as is (it says what happened, the likely cause and the
 * fix, and never holds a secret), escaped; other errors get a generic message, their details only in the log.
 * A Qonto error of the app's own making (5xx: wrong credentials, staging token, outage) is logged too, on one line.
 */
export function renderError(error: unknown): { status: number; html: string } {
  if (isQontoError(error)) {
    const hint = (error as { hint?: unknown }).hint;
    const status = statusOf(error);
    // The operator reads the log, not the user's page; core's messages hold no secret, so they can go there as is.
    if (status >= 500) console.error(`[qonto] ${error.code}: ${error.message}`);
    return {
      status,
      html: errorPage({
        title: TITLES[error.code] ?? 'Qonto error',
        message: error.message,
        code: error.code,
        // Core's OAuth message already ends with its hint; show it apart only when it is not there.
        hint: typeof hint === 'string' && !error.message.includes(hint) ? hint : undefined,
      }),
    };
  }
  const named = error as { name?: unknown; message?: unknown; code?: unknown };
  if (named?.name === 'AuthorizationError' && typeof named.code === 'string') {
    // passport-oauth2: Qonto redirected back with ?error= (other than access_denied) instead of a code.
    return {
      status: 400,
      html: errorPage({
        title: 'Qonto ended the sign-in with an error',
        message: `Qonto answered ${named.code}${typeof named.message === 'string' && named.message ? `: ${named.message}` : ''}.`,
        code: named.code,
      }),
    };
  }
  console.error(error);
  return {
    status: 500,
    html: errorPage({
      title: 'Something went wrong',
      message: 'An unexpected error occurred; see the server log.',
    }),
  };
}
