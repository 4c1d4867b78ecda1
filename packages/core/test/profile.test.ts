import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  decodeIdTokenClaims,
  fetchQontoProfile,
  QontoApiClient,
  QontoConfigError,
  type QontoEndpoints,
  sandboxEndpointsAt,
} from '../src/index.js';
import { type Loopback, sendJson, startLoopback } from './helpers/loopback.js';

const MEMBERSHIP = {
  id: 'c9f9f051-0000-4000-8000-000000000001',
  first_name: 'Bruce Thomas Patrick',
  last_name: 'Wayne',
  email: 'batman@dc-comics.com',
  phone_number: '+49123456789',
  status: 'active',
  role: 'owner',
  locale: 'de',
};
const ORGANIZATION = {
  id: 'cb47875a-0000-4000-8000-000000000002',
  slug: 'elektro-tesla-gmbh-3066',
  legal_name: 'Elektro Tesla GmbH',
  locale: 'fr',
  bank_accounts: [{ slug: 'main', iban: 'FR7612345', main: true }],
};
const SUB = '01965dc4-fc1f-7874-83b4-b5528bea0a8d';

/** An unsigned JWT (the profile reads the payload only). */
function idToken(claims: Record<string, unknown>): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  return `${part({ alg: 'RS256', typ: 'JWT' })}.${part(claims)}.c2lnbmF0dXJl`;
}

let lb: Loopback;
let environment: QontoEndpoints;
let status: { membership: number; organization: number };

beforeAll(async () => {
  lb = await startLoopback((_req, res, recorded) => {
    if (recorded.url === '/v2/membership') {
      return status.membership === 200
        ? sendJson(res, 200, { membership: MEMBERSHIP })
        : sendJson(res, status.membership, { errors: [{ code: 'forbidden', detail: 'missing scope' }] });
    }
    return status.organization === 200
      ? sendJson(res, 200, { organization: ORGANIZATION })
      : sendJson(res, status.organization, { errors: [{ code: 'forbidden' }] });
  });
  environment = { ...sandboxEndpointsAt(lb.url), requiresStagingToken: false };
});
afterAll(() => lb.close());
beforeEach(() => {
  status = { membership: 200, organization: 200 };
});

const api = () => new QontoApiClient({ environment, tokens: 'at' });

describe('fetchQontoProfile', () => {
  it('combines the membership, the organization and the id_token sub', async () => {
    const profile = await fetchQontoProfile(api(), {
      idToken: idToken({ sub: SUB, email: 'owner@qonto.eu' }),
    });
    expect(profile).toEqual({
      id: MEMBERSHIP.id,
      membershipId: MEMBERSHIP.id,
      userId: SUB,
      name: 'Bruce Thomas Patrick Wayne',
      firstName: 'Bruce Thomas Patrick',
      lastName: 'Wayne',
      email: 'batman@dc-comics.com',
      role: 'owner',
      locale: 'de',
      organization: { id: ORGANIZATION.id, slug: ORGANIZATION.slug, legalName: 'Elektro Tesla GmbH' },
    });
  });

  it('gives a smaller profile when membership.read was not granted (403)', async () => {
    status.membership = 403;
    const profile = await fetchQontoProfile(api(), {
      idToken: idToken({ sub: SUB, email: 'owner@qonto.eu' }),
    });
    expect(profile).toEqual({
      id: SUB,
      userId: SUB,
      email: 'owner@qonto.eu',
      locale: 'fr',
      organization: { id: ORGANIZATION.id, slug: ORGANIZATION.slug, legalName: 'Elektro Tesla GmbH' },
    });
  });

  it('gives a profile without organization when organization.read was not granted (403)', async () => {
    status.organization = 403;
    const profile = await fetchQontoProfile(api());
    expect(profile.id).toBe(MEMBERSHIP.id);
    expect(profile.organization).toBeUndefined();
    expect(profile.userId).toBeUndefined();
  });

  it('explains which scopes to request when there is neither a membership nor a sub', async () => {
    status = { membership: 403, organization: 403 };
    const error = await fetchQontoProfile(api()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QontoConfigError);
    expect((error as Error).message).toContain('membership.read');
    expect((error as Error).message).toContain('openid');
  });

  it('does not hide errors other than 403', async () => {
    status.organization = 500;
    await expect(
      fetchQontoProfile(new QontoApiClient({ environment, tokens: 'at', retry: false })),
    ).rejects.toMatchObject({
      code: 'api',
      status: 500,
    });
  });

  it('treats a malformed id_token as absent rather than crashing', async () => {
    status.membership = 403;
    for (const bad of [
      '',
      'not-a-jwt',
      'a.b',
      'a.!!!.c',
      `a.${Buffer.from('[1]').toString('base64url')}.c`,
    ]) {
      await expect(fetchQontoProfile(api(), { idToken: bad })).rejects.toBeInstanceOf(QontoConfigError);
    }
  });
});

describe('decodeIdTokenClaims', () => {
  it('reads a base64url payload, including characters that differ from base64', () => {
    const claims = { sub: SUB, name: 'Zoë ~?>' };
    expect(decodeIdTokenClaims(idToken(claims))).toEqual(claims);
  });
});
