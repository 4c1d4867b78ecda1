import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { toHttpException } from '@qonto-oauth/nestjs';
import type { Request, Response } from 'express';
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

/** Titles by status for the errors the guard raises without a Qonto error (state check, sign-in required). */
const STATUS_TITLES: Record<number, string> = {
  401: 'Not connected to Qonto',
  403: 'The sign-in could not be verified',
  404: 'Page not found',
};

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
    title: (code && TITLES[code]) || STATUS_TITLES[status] || 'Something went wrong',
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
    // Qonto sent the person back with error=access_denied: they declined, and core's hint is for developers.
    const request = http.getRequest<Request>();
    if (
      view?.status === 401 &&
      request.path === '/auth/qonto/callback' &&
      request.query.error === 'access_denied'
    ) {
      response.status(401).type('html').send(declinedPage());
      return;
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
