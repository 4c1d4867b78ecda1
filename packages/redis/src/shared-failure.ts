import {
  isQontoError,
  QontoConfigError,
  QontoError,
  type QontoErrorCode,
  QontoNetworkError,
  QontoOAuthError,
  QontoStagingGateError,
  QontoTimeoutError,
  QontoTokenStoreError,
  QontoUnexpectedResponseError,
} from '@qonto-oauth/core';

/**
 * A refresh failure as the lock holder leaves it for the processes that waited on it: core's error JSON (its
 * message and fields never hold a secret) and the holder's lock token, so only a waiter of that very attempt takes
 * it; a call made afterwards tries again.
 */
export interface SharedFailure {
  holder: string;
  error: Record<string, unknown>;
}

/** The failure to share, or `undefined` for what is not one of core's errors (a bug: each process finds it). */
export function shareableFailure(holder: string, error: unknown): string | undefined {
  if (!isQontoError(error)) return undefined;
  return JSON.stringify({ holder, error: error.toJSON() } satisfies SharedFailure);
}

export function parseSharedFailure(value: string | null): SharedFailure | undefined {
  if (value === null) return undefined;
  try {
    const parsed = JSON.parse(value) as Partial<SharedFailure>;
    return typeof parsed.holder === 'string' && typeof parsed.error === 'object' && parsed.error !== null
      ? (parsed as SharedFailure)
      : undefined;
  } catch {
    return undefined;
  }
}

/** Core's error again, of the same class for the failures a refresh can have, with the same fields. */
export function reviveFailure(json: Record<string, unknown>): QontoError {
  const message = String(json.message ?? '');
  const code = String(json.code) as QontoErrorCode;
  const number = (value: unknown) => (typeof value === 'number' ? value : undefined);
  const text = (value: unknown) => (typeof value === 'string' ? value : undefined);
  let error: QontoError;
  switch (code) {
    case 'oauth':
      error = new QontoOAuthError(message, {
        error: text(json.error) ?? 'server_error',
        errorDescription: text(json.errorDescription),
        hint: text(json.hint),
        reconnectRequired: json.reconnectRequired === true,
        status: number(json.status),
      });
      break;
    case 'network':
      error = new QontoNetworkError(message);
      break;
    case 'timeout':
      error = new QontoTimeoutError(message, { timeoutMs: number(json.timeoutMs) ?? 0 });
      break;
    case 'staging_gate':
      error = new QontoStagingGateError(message, {
        status: number(json.status) ?? 0,
        locationHost: text(json.locationHost),
      });
      break;
    case 'unexpected_response':
      error = new QontoUnexpectedResponseError(message, { status: number(json.status) });
      break;
    case 'config':
      error = new QontoConfigError(message);
      break;
    case 'token_store':
      error = new QontoTokenStoreError(message, {
        key: text(json.key),
        reconnectRequired: json.reconnectRequired === true,
      });
      break;
    default: {
      // Not a refresh failure today; keep its code and fields all the same.
      const { name: _name, code: _code, message: _message, ...fields } = json;
      error = Object.assign(new QontoError(code, message), fields);
    }
  }
  return error;
}
