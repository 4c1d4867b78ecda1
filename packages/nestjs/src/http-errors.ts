import {
  BadGatewayException,
  ForbiddenException,
  GatewayTimeoutException,
  HttpException,
  HttpStatus,
  InternalServerErrorException,
  ServiceUnavailableException,
  UnauthorizedException,
} from '@nestjs/common';
import { isQontoError, type QontoError } from '@qonto-oauth/core';

/** OAuth `error` codes that mean "the user must go through Connect with Qonto again". */
const RECONNECT_ERRORS = new Set(['access_denied', 'invalid_grant']);
/** OAuth `error` codes that mean "this callback does not belong to a login started here". */
const STATE_ERRORS = new Set(['invalid_state', 'state_mismatch', 'missing_state']);

function body(status: number, error: string, qonto: QontoError): Record<string, unknown> {
  const json: Record<string, unknown> = {
    statusCode: status,
    error,
    message: qonto.message,
    code: qonto.code,
  };
  const oauthError = (qonto as { error?: unknown }).error;
  if (typeof oauthError === 'string') json.oauthError = oauthError;
  const retryAfter = (qonto as { retryAfterSeconds?: unknown }).retryAfterSeconds;
  if (typeof retryAfter === 'number') json.retryAfterSeconds = retryAfter;
  return json;
}

/**
 * Turns an error from `@qonto-oauth/core` into the Nest `HttpException` an app should answer with, keeping core's
 * message (it never holds a secret). Anything that is not a Qonto error is returned unchanged.
 *
 * | Qonto error | HTTP |
 * |---|---|
 * | staging gate (missing or wrong `X-Qonto-Staging-Token`), `invalid_client`, network, unexpected answer | 502 |
 * | bad or missing `state` | 403 |
 * | denied consent (`access_denied`), `invalid_grant`, API 401 | 401 |
 * | rate limit | 429 |
 * | timeout | 504 |
 * | configuration | 500 |
 * | token store unreachable (`QontoTokenStoreError`) | 503 |
 * | token store lost the connection's tokens (`reconnectRequired`) | 401 |
 */
export function toHttpException(error: unknown): unknown {
  if (error instanceof HttpException || !isQontoError(error)) return error;
  const cause = { cause: error };
  switch (error.code) {
    case 'oauth': {
      const oauthError = (error as { error?: string }).error ?? '';
      if (STATE_ERRORS.has(oauthError)) {
        return new ForbiddenException(body(HttpStatus.FORBIDDEN, 'Forbidden', error), cause);
      }
      if (RECONNECT_ERRORS.has(oauthError)) {
        return new UnauthorizedException(body(HttpStatus.UNAUTHORIZED, 'Unauthorized', error), cause);
      }
      return new BadGatewayException(body(HttpStatus.BAD_GATEWAY, 'Bad Gateway', error), cause);
    }
    case 'rate_limited':
      return new HttpException(
        body(HttpStatus.TOO_MANY_REQUESTS, 'Too Many Requests', error),
        HttpStatus.TOO_MANY_REQUESTS,
        cause,
      );
    case 'timeout':
      return new GatewayTimeoutException(body(HttpStatus.GATEWAY_TIMEOUT, 'Gateway Timeout', error), cause);
    case 'api': {
      const status = (error as { status?: number }).status;
      if (status === HttpStatus.UNAUTHORIZED) {
        return new UnauthorizedException(body(HttpStatus.UNAUTHORIZED, 'Unauthorized', error), cause);
      }
      return new BadGatewayException(body(HttpStatus.BAD_GATEWAY, 'Bad Gateway', error), cause);
    }
    case 'token_store':
      if ((error as { reconnectRequired?: boolean }).reconnectRequired === true) {
        return new UnauthorizedException(body(HttpStatus.UNAUTHORIZED, 'Unauthorized', error), cause);
      }
      return new ServiceUnavailableException(
        body(HttpStatus.SERVICE_UNAVAILABLE, 'Service Unavailable', error),
        cause,
      );
    case 'config':
      return new InternalServerErrorException(
        body(HttpStatus.INTERNAL_SERVER_ERROR, 'Internal Server Error', error),
        cause,
      );
    default:
      // staging_gate, network, unexpected_response: Qonto (or the way to it) did not answer as documented.
      return new BadGatewayException(body(HttpStatus.BAD_GATEWAY, 'Bad Gateway', error), cause);
  }
}
