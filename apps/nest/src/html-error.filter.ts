import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { isQontoError } from '@qonto-oauth/core';
import { toHttpException } from '@qonto-oauth/nestjs';
import type { Request, Response } from 'express';
import { CROSS_ORIGIN } from './same-origin.guard.js';
import { declinedPage, errorPage } from './views.js';

/** Page titles by core's error `code` (the body `toHttpException` builds carries it). */
const TITLES: Record<string, string> = {
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
};

/** Titles of the app's own refusals, by the `code` of their body. */
const APP_TITLES: Record<string, string> = {
  [CROSS_ORIGIN]: 'This request did not come from this app',
};

/** The errors of RFC 6749 §4.1.2.1 an authorization server may send back to the callback. */
const CALLBACK_ERRORS = new Set([
  'invalid_request',
  'unauthorized_client',
  'unsupported_response_type',
  'invalid_scope',
  'server_error',
  'temporarily_unavailable',
]);

/** Core's errors for a callback whose state is missing or does not match (the nestjs package's 403s). */
const STATE_ERRORS = new Set(['invalid_state', 'state_mismatch', 'missing_state']);

/** Titles by status for the errors the guard raises without a Qonto error (state check, sign-in required). */
const STATUS_TITLES: Record<number, string> = {
  401: 'Not connected to Qonto',
  403: 'The sign-in could not be verified',
  404: 'Page not found',
};

/** A callback whose state is missing or wrong: forged, replayed or from another browser. Nothing from it is shown. */
const UNVERIFIED: ErrorView = {
  status: 403,
  title: 'The sign-in could not be verified',
  message:
    'The answer Qonto sent back does not match a sign-in this browser started: the link was tampered with, used ' +
    'twice, or opened in another browser. Start again from this app.',
};

/** The `error` of core's `QontoOAuthError` (`invalid_state`, `access_denied`, `invalid_scope`…), if it is one. */
function oauthErrorOf(exception: unknown): string | undefined {
  const error = exception instanceof HttpException ? exception.cause : exception;
  if (!isQontoError(error) || error.code !== 'oauth') return undefined;
  const code = (error as { error?: unknown }).error;
  return typeof code === 'string' ? code : undefined;
}

interface ErrorView {
  status: number;
  title: string;
  message: string;
  code?: string | undefined;
}

function describe(exception: unknown): ErrorView | undefined {
  const http = toHttpException(exception);
  if (!(http instanceof HttpException)) return undefined;
  const status = http.getStatus();
  const body = http.getResponse();
  const fields = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
  const message = typeof body === 'string' ? body : fields.message;
  const code = typeof fields.code === 'string' ? fields.code : undefined;
  return {
    status,
    title: (code && (TITLES[code] ?? APP_TITLES[code])) || STATUS_TITLES[status] || 'Something went wrong',
    message: Array.isArray(message) ? message.join(' ') : String(message ?? http.message),
    code,
  };
}

/**
 * Every error becomes a readable HTML page: Qonto's errors (through `@qonto-oauth/nestjs`'s `toHttpException`, so
 * with its status mapping) show core's message, which says what happened, the likely cause and the fix and never
 * holds a secret; anything else is a generic 500, its details in the server log only. Everything is escaped.
 */
@Catch()
export class HtmlErrorFilter implements ExceptionFilter {
  readonly #logger = new Logger('example-nest');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const response = http.getResponse<Response>();
    let view = describe(exception);
    const request = http.getRequest<Request>();
    const callbackError = request.path === '/auth/qonto/callback' ? oauthErrorOf(exception) : undefined;
    // Qonto sent the person back with error=access_denied: they declined, and core's hint is for developers.
    if (
      view?.status === 401 &&
      request.path === '/auth/qonto/callback' &&
      request.query.error === 'access_denied'
    ) {
      response.status(401).type('html').send(declinedPage());
      return;
    }
    if (callbackError !== undefined && STATE_ERRORS.has(callbackError)) view = UNVERIFIED;
    else if (callbackError !== undefined && request.query.error !== undefined) {
      // Another error= in the callback: the page names a known code at most, never the query's text.
      this.#logger.error(`Qonto ended a sign-in with error=${JSON.stringify(callbackError.slice(0, 100))}`);
      const known = CALLBACK_ERRORS.has(callbackError);
      view = {
        status: 400,
        title: 'Qonto ended the sign-in with an error',
        message:
          'Qonto sent the sign-in back without a connection. Start again from this app; if it keeps happening, ' +
          'the server log has the error Qonto sent.',
        code: known ? callbackError : undefined,
      };
    }
    if (view === undefined) {
      this.#logger.error(
        exception instanceof Error ? (exception.stack ?? exception.message) : String(exception),
      );
      view = {
        status: 500,
        title: 'Something went wrong',
        message: 'An unexpected error occurred; see the server log.',
      };
    }
    response.status(view.status).type('html').send(errorPage(view));
  }
}
