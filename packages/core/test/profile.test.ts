import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  buildQontoProfile,
  fetchQontoProfile,
  idTokenIssuer,
  QONTO_ENVIRONMENTS,
  QontoApiClient,
  QontoConfigError,
  type QontoEndpoints,
  QontoUnexpectedResponseError,
  readIdTokenClaims,
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

const CLIENT_ID = 'profile-tests-client';
const NOW = Date.UTC(2026, 0, 15, 12);
const now = () => NOW;

/** A JWT with a placeholder signature (core does not check it); valid claims for this client unless overridden. */
function idToken(
  claims: Record<string, unknown>,
  header: Record<string, unknown> = { alg: 'RS256' },
): string {
  const part = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const payload = { iss: lb.url, aud: CLIENT_ID, exp: NOW / 1000 + 3600, iat: NOW / 1000, ...claims };
  return `${part({ typ: 'JWT', ...header })}.${part(payload)}.c2lnbmF0dXJl`;
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
      clientId: CLIENT_ID,
      now,
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
      clientId: CLIENT_ID,
      now,
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

  it('does not use an id_token it was given no clientId to check against', async () => {
    const profile = await fetchQontoProfile(api(), { idToken: idToken({ sub: SUB }), now });
    expect(profile.id).toBe(MEMBERSHIP.id);
    expect(profile.userId).toBeUndefined();

    status.membership = 403;
    const error = await fetchQontoProfile(api(), { idToken: idToken({ sub: SUB }), now }).catch((e) => e);
    expect(error).toBeInstanceOf(QontoConfigError);
    expect(error.message).toContain('without the clientId');
  });

  it('refuses a malformed id_token, naming no part of it', async () => {
    for (const bad of [
      '',
      'not-a-jwt',
      'a.b',
      'a.!!!.c',
      `${Buffer.from('{"alg":"RS256"}').toString('base64url')}.${Buffer.from('[1]').toString('base64url')}.c`,
    ]) {
      const error = await fetchQontoProfile(api(), { idToken: bad, clientId: CLIENT_ID, now }).catch(
        (e) => e,
      );
      expect(error).toBeInstanceOf(QontoUnexpectedResponseError);
      expect(error.message).toContain('not a readable JWT');
    }
  });
});

describe('id_token claims', () => {
  const check = (token: string, o: { issuer?: string; at?: number } = {}) =>
    readIdTokenClaims(token, { clientId: CLIENT_ID, issuer: o.issuer, now: () => o.at ?? NOW });
  const refusal = (f: () => unknown) => {
    try {
      f();
    } catch (error) {
      expect(error).toBeInstanceOf(QontoUnexpectedResponseError);
      return (error as Error).message;
    }
    throw new Error('expected the id_token to be refused');
  };

  it('reads a base64url payload, including characters that differ from base64', () => {
    const token = idToken({ sub: SUB, name: 'Zoë ~?>' });
    expect(check(token, { issuer: lb.url })).toMatchObject({ sub: SUB, name: 'Zoë ~?>' });
  });

  it.each([
    ['an aud of another client', { aud: 'another-client' }, /another client \(its aud/],
    ['an aud list without this client', { aud: ['a', 'b'] }, /its aud does not contain/],
    ['no aud', { aud: undefined }, /its aud does not contain/],
    ['an azp of another client', { aud: [CLIENT_ID, 'b'], azp: 'b' }, /its azp/],
    ['no exp', { exp: undefined }, /no valid exp/],
    ['an exp past the clock skew', { exp: NOW / 1000 - 61 }, /has expired/],
  ])('refuses %s', (_what, claims, message) => {
    const token = idToken({ sub: SUB, ...claims });
    expect(refusal(() => check(token))).toMatch(message);
    // The message names the claim, never the token or its values.
    expect(refusal(() => check(token))).not.toContain(token.split('.')[1]!.slice(0, 20));
  });

  it('accepts an aud list that contains the client, and an exp within the clock skew', () => {
    expect(check(idToken({ aud: ['other', CLIENT_ID], azp: CLIENT_ID }))).toMatchObject({ azp: CLIENT_ID });
    expect(check(idToken({ exp: NOW / 1000 - 30 }))).toMatchObject({ iss: lb.url });
  });

  it.each([
    ['none', { alg: 'none' }],
    ['NONE', { alg: 'NONE' }],
    ['missing', {}],
  ])('refuses an unsigned id_token (alg %s)', (_what, header) => {
    expect(refusal(() => check(idToken({ sub: SUB }, header)))).toMatch(/unsigned/);
  });

  it("checks iss against the issuer when one is given, and the environment's by default", async () => {
    const foreign = idToken({ sub: SUB, iss: 'https://attacker.example' });
    expect(refusal(() => check(foreign, { issuer: lb.url }))).toMatch(/was not issued by/);
    expect(check(foreign)).toMatchObject({ iss: 'https://attacker.example' });
    status.membership = 403;
    await expect(
      fetchQontoProfile(api(), { idToken: foreign, clientId: CLIENT_ID, now }),
    ).rejects.toBeInstanceOf(QontoUnexpectedResponseError);
    expect(() => buildQontoProfile({ idToken: foreign, clientId: CLIENT_ID, issuer: lb.url, now })).toThrow(
      QontoUnexpectedResponseError,
    );
  });

  it("knows the sandbox's issuer and custom endpoints', but checks production's only when set", () => {
    expect(idTokenIssuer('sandbox')).toBe('https://oauth-sandbox.staging.qonto.co');
    expect(idTokenIssuer(sandboxEndpointsAt(lb.url))).toBe(lb.url);
    expect(idTokenIssuer('production')).toBeUndefined();
    expect(idTokenIssuer(QONTO_ENVIRONMENTS.production)).toBeUndefined();
    const declared = { ...QONTO_ENVIRONMENTS.production, issuer: 'https://oauth.qonto.com' };
    expect(idTokenIssuer(declared)).toBe('https://oauth.qonto.com');
  });

  it('needs the client id to check anything', () => {
    expect(() => readIdTokenClaims(idToken({}), { clientId: '' })).toThrow(QontoConfigError);
  });
});
