import { QontoConfigError } from './errors.js';
import { mustBe } from './messages.js';

/**
 * Which organization and which flow a consent is for: the optional parameters of Qonto's authorize URL
 * (https://docs.qonto.com/get-started/business-api/authentication/oauth/login-endpoint).
 */
export interface QontoAuthorizationTarget {
  /** Lock consent to one organization (`organization_id`); skips the organization picker. */
  organizationId?: string | undefined;
  /** Pre-select the organization created through the Onboarding API (`registration_id`); skips the picker. */
  registrationId?: string | undefined;
  /**
   * `'user'` starts the User OAuth flow (`identity_type`, apps approved by Qonto only;
   * https://docs.qonto.com/get-started/business-api/authentication/oauth/user-oauth-flow).
   */
  identityType?: 'user' | undefined;
}

const PARAMETER_NAMES = {
  organizationId: 'organization_id',
  registrationId: 'registration_id',
  identityType: 'identity_type',
} as const satisfies Record<keyof QontoAuthorizationTarget, string>;

/**
 * Qonto's authorize query parameters for a {@link QontoAuthorizationTarget}: `{ organization_id, registration_id,
 * identity_type }`, each only when given. `undefined` and `''` count as not given (an unset environment variable or
 * query parameter); any other value that is not a string throws {@link QontoConfigError} naming the option.
 *
 * `QontoOAuthClient.createAuthorizationRequest` uses it; so do adapters that let the framework build the URL
 * (passport-oauth2's `authorizationParams`, Auth.js's `authorization.params`).
 */
export function qontoAuthorizationParams(target: QontoAuthorizationTarget = {}): Record<string, string> {
  const params: Record<string, string> = {};
  for (const [option, parameter] of Object.entries(PARAMETER_NAMES)) {
    const value: unknown = target?.[option as keyof QontoAuthorizationTarget];
    if (value === undefined || value === '') continue;
    if (typeof value !== 'string') {
      throw new QontoConfigError(mustBe(option, `a string (Qonto's ${parameter}) or left out`, value));
    }
    params[parameter] = value;
  }
  return params;
}
