import { QontoConfigError } from './errors.js';
import { HEADER_TOKEN_CHARS } from './header-token.js';
import { mustBe } from './messages.js';

/**
 * The header naming the organization a token of the user OAuth flow acts in; that token covers every organization
 * the user consented to (https://docs.qonto.com/get-started/business-api/authentication/oauth/user-oauth-flow).
 */
export const ORGANIZATION_ID_HEADER = 'X-Qonto-Organization-Id';

/** `value` when it can be sent as {@link ORGANIZATION_ID_HEADER}, `undefined` when absent; else a `QontoConfigError`. */
export function organizationIdOption(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !HEADER_TOKEN_CHARS.test(value)) {
    throw new QontoConfigError(
      mustBe('organizationId', "an organization's id (GET /v2/user_organizations lists them)", value),
    );
  }
  return value;
}
