import { HttpException, NotFoundException } from '@nestjs/common';
import {
  QontoApiError,
  QontoConfigError,
  QontoNetworkError,
  QontoOAuthError,
  QontoRateLimitError,
  QontoStagingGateError,
  QontoTimeoutError,
  QontoTokenStoreError,
  QontoUnexpectedResponseError,
} from '@qonto-oauth/core';
import { toHttpException } from '@qonto-oauth/nestjs';
import { describe, expect, it } from 'vitest';

const oauth = (error: string) => new QontoOAuthError(`Qonto answered ${error}.`, { error });

describe('toHttpException', () => {
  const cases: [string, Error, number][] = [
    [
      'the staging gate',
      new QontoStagingGateError('gate', { status: 302, locationHost: 'qonto.onelogin.com' }),
      502,
    ],
    ['invalid_client (credentials of the other environment)', oauth('invalid_client'), 502],
    ['a missing or different state', oauth('invalid_state'), 403],
    ['denied consent', oauth('access_denied'), 401],
    ['invalid_grant', oauth('invalid_grant'), 401],
    ['another OAuth error', oauth('invalid_scope'), 502],
    ['an API 401', new QontoApiError('revoked', { status: 401 }), 401],
    ['an API 404', new QontoApiError('not found', { status: 404 }), 502],
    ['the rate limit', new QontoRateLimitError('slow down', { retryAfterSeconds: 7 }), 429],
    ['a timeout', new QontoTimeoutError('too slow', { timeoutMs: 30_000 }), 504],
    ['a network failure', new QontoNetworkError('refused'), 502],
    ['an unexpected answer', new QontoUnexpectedResponseError('html', { status: 200 }), 502],
    ['a configuration error', new QontoConfigError('no staging token'), 500],
    ['an unreachable token store', new QontoTokenStoreError('Redis down', { key: 'org-1' }), 503],
    [
      "a token store that lost the connection's tokens",
      new QontoTokenStoreError('gone', { key: 'org-1', reconnectRequired: true }),
      401,
    ],
  ];

  it.each(cases)('maps %s to HTTP %i with core message and code', (_name, error, status) => {
    const mapped = toHttpException(error) as HttpException;
    expect(mapped).toBeInstanceOf(HttpException);
    expect(mapped.getStatus()).toBe(status);
    const body = mapped.getResponse() as Record<string, unknown>;
    expect(body).toMatchObject({
      statusCode: status,
      message: error.message,
      code: (error as QontoOAuthError).code,
    });
    expect(mapped.cause).toBe(error);
  });

  it('tells the client when to retry after a rate limit, and which OAuth error it was', () => {
    const limited = toHttpException(
      new QontoRateLimitError('slow down', { retryAfterSeconds: 7 }),
    ) as HttpException;
    expect(limited.getResponse()).toMatchObject({ retryAfterSeconds: 7 });
    const denied = toHttpException(oauth('access_denied')) as HttpException;
    expect(denied.getResponse()).toMatchObject({ oauthError: 'access_denied' });
  });

  it('returns anything that is not a Qonto error unchanged', () => {
    const notFound = new NotFoundException();
    const plain = new Error('boom');
    expect(toHttpException(notFound)).toBe(notFound);
    expect(toHttpException(plain)).toBe(plain);
  });
});
