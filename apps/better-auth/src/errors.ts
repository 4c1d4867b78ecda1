import { isQontoError, type QontoError } from '@qonto-oauth/core';
import { isAPIError } from 'better-auth/api';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

/** What the error page shows. */
export interface ErrorPageContent {
  status: ContentfulStatusCode;
  title: string;
  message: string;
  code?: string | undefined;
}

const TITLES: Partial<Record<QontoError['code'], string>> = {
  config: 'The app is misconfigured',
  staging_gate: "Qonto's sandbox gate answered instead of the API",
  oauth: 'Qonto refused the connection',
  api: 'Qonto refused a request',
  rate_limited: 'Too many requests to Qonto',
  network: 'Qonto could not be reached',
  timeout: 'Qonto did not answer in time',
  unexpected_response: 'Qonto answered something unexpected',
};

function qontoStatus(error: QontoError & { error?: unknown }): ContentfulStatusCode {
  if (error.code === 'oauth') return error.error === 'invalid_client' ? 502 : 401;
  if (error.code === 'rate_limited') return 429;
  if (error.code === 'timeout') return 504;
  return error.code === 'config' ? 500 : 502;
}

/**
 * Whether Qonto refused the connection's refresh token (consent revoked, 90 days unused): core's `QontoOAuthError`
 * through `getQontoApi`, or the `reconnectRequired` that `qonto()` adds to Better Auth's refresh errors.
 */
export function reconnectRequired(error: unknown): boolean {
  if (isQontoError(error)) return (error as { reconnectRequired?: unknown }).reconnectRequired === true;
  return (
    isAPIError(error) &&
    (error.body as { reconnectRequired?: unknown } | undefined)?.reconnectRequired === true
  );
}

/**
 * The page for anything a route threw: core's message as is (what happened, the likely cause, the fix; never a
 * secret), Better Auth's `APIError` message and code, a request refused as cross-site; anything else a generic
 * page, its details only in the log.
 */
export function pageForError(error: unknown): ErrorPageContent {
  if (isQontoError(error)) {
    return {
      status: qontoStatus(error),
      title: TITLES[error.code] ?? 'Qonto error',
      message: error.message,
      code: error.code,
    };
  }
  if (isAPIError(error)) {
    const body = (error.body ?? {}) as {
      message?: unknown;
      code?: unknown;
      qontoError?: unknown;
      reconnectRequired?: unknown;
    };
    const code = [body.code, body.qontoError].filter((c) => typeof c === 'string').join(', ') || undefined;
    if (reconnectRequired(error)) {
      // `qonto()` adds it when Qonto refused the refresh token: consent revoked, or 90 days unused.
      return {
        status: 401,
        title: 'Connect this organization again',
        message:
          'Qonto no longer accepts this connection (its consent was revoked, or it went unused for 90 days). ' +
          'Disconnect it and connect it again.',
        code,
      };
    }
    return {
      status: (error.statusCode >= 400 && error.statusCode < 600
        ? error.statusCode
        : 500) as ContentfulStatusCode,
      title: 'Better Auth refused the request',
      message: typeof body.message === 'string' && body.message ? body.message : error.message,
      code,
    };
  }
  if (error instanceof HTTPException) {
    if (error.status === 403 && error.message === '') {
      return {
        status: 403,
        title: 'This request did not come from this app',
        message:
          'The app only accepts this button from its own pages. Another site may have tried to press it for you, or ' +
          'the app was opened at another address than its BETTER_AUTH_URL: open the app and try again. Nothing was changed.',
      };
    }
    return { status: error.status as ContentfulStatusCode, title: 'Not possible', message: error.message };
  }
  console.error(error);
  return {
    status: 500,
    title: 'Something went wrong',
    message: 'An unexpected error occurred; see the server log.',
  };
}
