import { readFileSync } from 'node:fs';
import type { QontoProfile } from '@qonto-oauth/core';
import { describe, expect, it } from 'vitest';
import { parseQontoProfile } from '../src/profile.js';

function fixture(name: string): QontoProfile {
  return JSON.parse(
    readFileSync(new URL(`./fixtures/${name}.json`, import.meta.url), 'utf8'),
  ) as QontoProfile;
}

describe('parseQontoProfile', () => {
  it("maps a full Qonto profile onto Passport's normalised shape", () => {
    const json = fixture('profile-full');
    expect(parseQontoProfile(json)).toEqual({
      provider: 'qonto',
      id: '9d0a7c2e-5d1b-4f1e-9a6c-2b1f0c3d4e5f',
      displayName: 'Ada Lovelace',
      name: { familyName: 'Lovelace', givenName: 'Ada' },
      emails: [{ value: 'owner@qonto.eu' }],
      organization: {
        id: 'cb47875a-0b1c-4d2e-8f3a-4b5c6d7e8f90',
        slug: 'elektro-tesla-gmbh-3066',
        legalName: 'Elektro Tesla GmbH',
      },
      _json: json,
      _raw: JSON.stringify(json),
    });
  });

  it('falls back to the email for displayName when only the id_token was readable (no membership.read)', () => {
    const profile = parseQontoProfile(fixture('profile-id-token-only'));
    expect(profile.id).toBe('01965dc4-fc1f-7874-83b4-b5528bea0a8d');
    expect(profile.displayName).toBe('owner@qonto.eu');
    expect(profile.emails).toEqual([{ value: 'owner@qonto.eu' }]);
    expect(profile).not.toHaveProperty('name');
    expect(profile).not.toHaveProperty('organization');
  });

  it('leaves out what a scope not granted did not give, without inventing values', () => {
    const profile = parseQontoProfile(fixture('profile-membership-no-organization'));
    expect(profile.displayName).toBe('Grace');
    expect(profile).not.toHaveProperty('name');
    expect(profile).not.toHaveProperty('emails');
    expect(profile).not.toHaveProperty('organization');
  });

  it('uses the id for displayName when nothing else is known', () => {
    expect(parseQontoProfile({ id: 'm-1' }).displayName).toBe('m-1');
  });

  it('does not share the organization object with _json (mutating one cannot change the other)', () => {
    const json = fixture('profile-full');
    const profile = parseQontoProfile(json);
    profile.organization!.legalName = 'changed';
    expect(json.organization?.legalName).toBe('Elektro Tesla GmbH');
  });
});
