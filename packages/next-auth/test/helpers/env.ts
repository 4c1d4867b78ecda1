import { vi } from 'vitest';

const QONTO_VARIABLES = [
  'AUTH_QONTO_ID',
  'AUTH_QONTO_SECRET',
  'AUTH_QONTO_ISSUER',
  'AUTH_QONTO_ENV',
  'AUTH_QONTO_STAGING_TOKEN',
  'AUTH_QONTO_SCOPES',
  'QONTO_ENV',
  'QONTO_CLIENT_ID',
  'QONTO_CLIENT_SECRET',
  'QONTO_REDIRECT_URI',
  'QONTO_STAGING_TOKEN',
  'QONTO_SCOPES',
  'QONTO_SANDBOX_URL',
];

/** Starts from an environment with no Qonto variable (the machine's own must not leak into a test). */
export function clearQontoEnv(): void {
  for (const name of QONTO_VARIABLES) vi.stubEnv(name, undefined);
}
