import { type ExecutionContext, HttpException, Injectable, Logger } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { QontoOAuthError } from '@qonto-oauth/core';
import { toHttpException } from './http-errors.js';
import { responseForPassport } from './passport-response.js';

// Qonto ids are UUIDs; anything else in the query is ignored rather than sent to Qonto.
const ID_PATTERN = /^[A-Za-z0-9-]{1,64}$/;

function queryId(query: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = query?.[name];
  return typeof value === 'string' && ID_PATTERN.test(value) ? value : undefined;
}

/**
 * Passport's `fail(info, status)` as the core error it stands for, so the guard answers the body of every other
 * failure (`{ statusCode, error, message, code, oauthError }`): 403 is a state the cookie store refused
 * (`invalid_state`, also for an `?error=` whose state did not match); the strategy fails otherwise only for
 * `error=access_denied` whose state matched (the user declined).
 */
function failureAsQontoError(info: unknown, status: unknown): QontoOAuthError {
  const given = (info as { message?: unknown } | undefined)?.message;
  const message = typeof given === 'string' && given !== '' ? given : undefined;
  if (status === 403) {
    return new QontoOAuthError(message ?? 'The Qonto login state did not match. Start the login again.', {
      error: 'invalid_state',
    });
  }
  return new QontoOAuthError(message ?? 'The user declined the Qonto consent. Offer to connect again.', {
    error: 'access_denied',
  });
}

/**
 * Guard for both Qonto routes: on the login route it redirects the browser to Qonto; on the callback route it
 * completes the login and sets `req.user` (a `QontoLogin`; read it with `@QontoUser()`). A callback's `?error=` is
 * believed only once its state matched the login cookie's (else a generic 403), and is cut short.
 *
 * On the login route, `?organization_id=` and `?registration_id=` are passed on to Qonto (the organization picker
 * is skipped). Every failure becomes the HTTP error `toHttpException` maps it to, with its body
 * `{ statusCode, error, message, code, oauthError? }`: denied consent → 401 `access_denied`, a missing, expired or
 * tampered state cookie or a different state → 403 `invalid_state`, the staging gate and `invalid_client` → 502, …
 *
 * Works on Nest's Express and Fastify adapters: on Fastify, passport's redirect and the state cookie go through the
 * `FastifyReply`.
 */
@Injectable()
export class QontoAuthGuard extends AuthGuard('qonto') {
  override getAuthenticateOptions(context: ExecutionContext): {
    organizationId?: string;
    registrationId?: string;
  } {
    const query = context.switchToHttp().getRequest<{ query?: Record<string, unknown> }>().query;
    const options: { organizationId?: string; registrationId?: string } = {};
    const organizationId = queryId(query, 'organization_id');
    const registrationId = queryId(query, 'registration_id');
    if (organizationId) options.organizationId = organizationId;
    if (registrationId) options.registrationId = registrationId;
    return options;
  }

  /**
   * Express's response as is; a `FastifyReply` behind the few `ServerResponse` members passport writes with.
   * (`AuthGuard` calls it for the response it hands passport; its type declares `getRequest` only.)
   */
  getResponse<T = unknown>(context: ExecutionContext): T {
    const http = context.switchToHttp();
    return responseForPassport(http.getRequest<object>(), http.getResponse<unknown>()) as T;
  }

  override handleRequest<TUser = unknown>(
    err: unknown,
    user: unknown,
    info: unknown,
    _context: ExecutionContext,
    status?: unknown,
  ): TUser {
    if (err) throw logged(toHttpException(err));
    if (user) return user as TUser;
    throw toHttpException(failureAsQontoError(info, status));
  }
}

const logger = new Logger('QontoAuthGuard');

/**
 * A 5xx says the app, not the user, has something to fix (credentials of the other environment, the staging token,
 * Qonto unreachable): Nest does not log `HttpException`s, so the fix would reach the browser only. Its message
 * never holds a secret.
 */
function logged(exception: unknown): unknown {
  if (exception instanceof HttpException && exception.getStatus() >= 500) {
    const cause = (exception as { cause?: unknown }).cause;
    logger.error(cause instanceof Error ? `${cause.name}: ${cause.message}` : exception.message);
  }
  return exception;
}
