import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  QontoConfigError,
  QontoOAuthClient,
  qontoAuthorizationParams,
  sandboxEndpointsAt,
} from '../src/index.js';
import { type Loopback, sendJson, startLoopback } from './helpers/loopback.js';

let server: Loopback;
beforeAll(async () => {
  server = await startLoopback((_req, res) =>
    sendJson(res, 200, { access_token: 'at', refresh_token: 'rt-2', expires_in: 3600, token_type: 'bearer' }),
  );
});
afterAll(() => server.close());

describe('qontoAuthorizationParams', () => {
  it("maps organizationId, registrationId and identityType onto Qonto's authorize parameters", () => {
    expect(
      qontoAuthorizationParams({ organizationId: 'org-1', registrationId: 'reg-1', identityType: 'user' }),
    ).toEqual({ organization_id: 'org-1', registration_id: 'reg-1', identity_type: 'user' });
  });

  it('leaves out what is not given, an empty string included', () => {
    expect(qontoAuthorizationParams()).toEqual({});
    expect(qontoAuthorizationParams({ organizationId: '', registrationId: undefined })).toEqual({});
  });

  it('refuses a value that is not a string, naming the option', () => {
    expect(() => qontoAuthorizationParams({ organizationId: 42 as never })).toThrow(QontoConfigError);
    expect(() => qontoAuthorizationParams({ registrationId: {} as never })).toThrow(/registrationId/);
  });
});

describe('QontoOAuthClient without a redirectUri', () => {
  const client = () =>
    new QontoOAuthClient({
      environment: { ...sandboxEndpointsAt(server.url), requiresStagingToken: false },
      clientId: 'client-1',
      clientSecret: 'secret-1',
    });

  it('refreshes: a refresh sends no redirect_uri', async () => {
    expect(client().redirectUri).toBeUndefined();
    expect((await client().refresh('rt-1')).refreshToken).toBe('rt-2');
  });

  it('takes the redirectUri of each call', async () => {
    const callback = 'http://localhost:3001/auth/qonto/callback';
    const { url } = await client().createAuthorizationRequest({ redirectUri: callback });
    expect(new URL(url).searchParams.get('redirect_uri')).toBe(callback);
    server.requests.length = 0;
    await client().exchangeCode({ code: 'ory_ac_1', redirectUri: callback });
    expect(new URLSearchParams(server.requests[0]!.body).get('redirect_uri')).toBe(callback);
  });

  it('throws QontoConfigError naming redirectUri when neither the client nor the call gives one', async () => {
    server.requests.length = 0;
    for (const attempt of [
      client().createAuthorizationRequest(),
      client().exchangeCode({ code: 'ory_ac_secret-code' }),
    ]) {
      const error = await attempt.catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QontoConfigError);
      expect((error as Error).message).toMatch(/redirectUri is missing/);
      expect((error as Error).message).not.toContain('secret-code');
    }
    expect(server.requests).toHaveLength(0);
  });
});
