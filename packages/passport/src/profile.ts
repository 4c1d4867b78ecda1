import type { QontoProfile } from '@qonto-oauth/core';

/**
 * Who connected, in Passport's normalised profile shape (Portable Contacts, as passport-github2 and
 * passport-google-oauth20 hand it to `verify`), plus the Qonto organization the consent was given for.
 *
 * Qonto has no userinfo endpoint: `_json` is core's {@link QontoProfile}, assembled from `GET /v2/membership`,
 * `GET /v2/organization` and the id_token's `sub`. A scope that was not granted leaves its part out: without
 * `membership.read` there is no name or role, without `organization.read` no `organization`.
 */
export interface QontoPassportProfile {
  provider: 'qonto';
  /** The membership id (one user in one organization), else the id_token `sub`. */
  id: string;
  /** The member's first and last name, else the email, else the id: never empty. */
  displayName: string;
  /** Present when the membership gave both names. */
  name?: { familyName: string; givenName: string };
  /** The membership's (or the id_token's) email, when known. */
  emails?: { value: string }[];
  /** The organization the user consented for (`GET /v2/organization`). */
  organization?: { id: string; slug?: string; legalName?: string };
  /** Core's profile, unchanged. */
  _json: QontoProfile;
  /** `_json` serialised, as Passport strategies expose the raw body. */
  _raw: string;
}

/**
 * Maps core's {@link QontoProfile} onto Passport's normalised profile. Pure: no network, no clock.
 */
export function parseQontoProfile(json: QontoProfile): QontoPassportProfile {
  const profile: QontoPassportProfile = {
    provider: 'qonto',
    id: json.id,
    displayName: json.name || json.email || json.id,
    _json: json,
    _raw: JSON.stringify(json),
  };
  if (json.firstName && json.lastName) {
    profile.name = { familyName: json.lastName, givenName: json.firstName };
  }
  if (json.email) profile.emails = [{ value: json.email }];
  if (json.organization) profile.organization = { ...json.organization };
  return profile;
}
