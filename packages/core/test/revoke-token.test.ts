import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  QontoConfigError,
  QontoOAuthClient,
  QontoOAuthError,
  QontoUnexpectedResponseError,
  revocationUrlOf,
  sandboxEndpointsAt,
} from '../src/index.js';
import { type Loopback, sendJson, startLoopback } from './helpers/loopback.js';

const STAGING = 'staging-token-for-revoke-tests';
let server: Loopback;

beforeAll(async () => {
  server = await startLoopback();
});
afterAll(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
});

function client(): QontoOAuthClient {
  return new QontoOAuthClient({
    environment: sandboxEndpointsAt(server.url),
    clientId: 'revoke-client',
    clientSecret: 'revoke-client-secret',
    stagingToken: STAGING,
  });
}

describe('QontoOAuthClient.revokeToken (RFC 7009)', () => {
  it('posts the token and the client credentials as a form to /oauth2/revoke, with the staging header', async () => {
    server.handle((_req, res) => {
      res.writeHead(200);
      res.end();
    });
    await client().revokeToken('ory_rt_to_revoke', { tokenTypeHint: 'refresh_token' });
    const [sent] = server.requests;
    expect(sent).toMatchObject({ method: 'POST', url: '/oauth2/revoke' });
    expect(sent!.rawHeaders['X-Qonto-Staging-Token']).toBe(STAGING);
    expect(Object.fromEntries(new URLSearchParams(sent!.body))).toEqual({
      token: 'ory_rt_to_revoke',
      token_type_hint: 'refresh_token',
      client_id: 'revoke-client',
      client_secret: 'revoke-client-secret',
    });
  });

  it('turns an RFC 6749 error into QontoOAuthError, scrubbed of the token and the secret', async () => {
    server.handle((_req, res) =>
      sendJson(res, 400, {
        error: 'unauthorized_client',
        error_description: 'not yours: ory_at_mine / revoke-client-secret',
      }),
    );
    const error = await client()
      .revokeToken('ory_at_mine')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QontoOAuthError);
    expect(error).toMatchObject({ error: 'unauthorized_client', status: 400 });
    const text = `${(error as Error).message} ${JSON.stringify(error)}`;
    expect(text).toContain('Qonto refused to revoke the token');
    expect(text).toContain('another client');
    expect(text).not.toContain('ory_at_mine');
    expect(text).not.toContain('revoke-client-secret');
    expect(server.requests).toHaveLength(1);
  });

  it('reports an answer that is not an OAuth one, and refuses an empty token before sending', async () => {
    server.handle((_req, res) => {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('boom');
    });
    await expect(client().revokeToken('t')).rejects.toThrow(QontoUnexpectedResponseError);
    await expect(client().revokeToken('')).rejects.toThrow(QontoConfigError);
    expect(server.requests).toHaveLength(1);
  });
});

describe('revocationUrlOf', () => {
  it("derives Qonto's /oauth2/revoke from the token endpoint, or takes revocationUrl", () => {
    expect(revocationUrlOf(sandboxEndpointsAt('http://127.0.0.1:4010'))).toBe(
      'http://127.0.0.1:4010/oauth2/revoke',
    );
    const production = {
      authorizationUrl: 'https://oauth.qonto.com/oauth2/auth',
      tokenUrl: 'https://oauth.qonto.com/oauth2/token',
      apiBaseUrl: 'https://thirdparty.qonto.com',
      requiresStagingToken: false,
    };
    expect(revocationUrlOf(production)).toBe('https://oauth.qonto.com/oauth2/revoke');
    expect(revocationUrlOf({ ...production, revocationUrl: 'https://idp.example/revoke' })).toBe(
      'https://idp.example/revoke',
    );
    expect(() => revocationUrlOf({ ...production, tokenUrl: 'https://idp.example/oauth/access' })).toThrow(
      /revocationUrl/,
    );
  });
});
