import { type ExecutionContext, ForbiddenException, Injectable, UnauthorizedException } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { toHttpException } from './http-errors.js';

// Qonto ids are UUIDs; anything else in the query is ignored rather than sent to Qonto.
const ID_PATTERN = /^[A-Za-z0-9-]{1,64}$/;

function queryId(query: Record<string, unknown> | undefined, name: string): string | undefined {
  const value = query?.[name];
  return typeof value === 'string' && ID_PATTERN.test(value) ? value : undefined;
}

/**
 * Guard for both Qonto routes: on the login route it redirects the browser to Qonto; on the callback route it
 * completes the login and sets `req.user` (a `QontoLogin`; read it with `@QontoUser()`).
 *
 * On the login route, `?organization_id=` and `?registration_id=` are passed on to Qonto (the organization picker
 * is skipped). Failures become HTTP errors carrying a readable message: denied consent → 401, a missing, expired or
 * tampered state cookie or a different state → 403, and core's errors as `toHttpException` maps them (staging
 * gate and `invalid_client` → 502, …).
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

  override handleRequest<TUser = unknown>(
    err: unknown,
    user: unknown,
    info: unknown,
    _context: ExecutionContext,
    status?: unknown,
  ): TUser {
    if (err) throw toHttpException(err);
    if (user) return user as TUser;
    const given = (info as { message?: unknown } | undefined)?.message;
    const message = typeof given === 'string' && given !== '' ? given : undefined;
    if (status === 403)
      throw new ForbiddenException(message ?? 'The Qonto login state did not match. Start again.');
    // Without 403, passport-oauth2 fails only for `error=access_denied`: the user declined the consent.
    throw new UnauthorizedException(
      message ?? 'The user declined the Qonto consent. Offer to connect again.',
    );
  }
}
