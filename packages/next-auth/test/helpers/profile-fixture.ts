import type { QontoProfile } from '@qonto-oauth/core';

/** A profile as core builds it from `GET /v2/membership` and `GET /v2/organization`. */
export const SAMPLE_PROFILE: QontoProfile = {
  id: 'mem-1',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  organization: { id: 'org-1', slug: 'analytical', legalName: 'Analytical Engines' },
};

/** The user both providers' `profile()` must make of {@link SAMPLE_PROFILE}. */
export const SAMPLE_USER = {
  id: 'mem-1',
  name: 'Ada Lovelace',
  email: 'ada@example.com',
  image: null,
  organizationId: 'org-1',
  organizationSlug: 'analytical',
  organizationName: 'Analytical Engines',
};
