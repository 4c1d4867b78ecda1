import { createLocalJWKSet, decodeProtectedHeader, type JSONWebKeySet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQontoSandbox } from '../src/index.js';
import { atHash } from '../src/oauth/id-token.js';
import type { QontoSandbox } from '../src/types.js';
import {
  apiGet,
  clientForm,
  exchange,
  obtainCode,
  pkcePair,
  postToken,
  REDIRECT_URI,
  startSandbox,
} from './helpers.js';

// Tests that only sign in and exchange their own codes share one emulator; a test that moves the clock or adds a
// client starts its own, so no test sees another's state.
let shared: QontoSandbox;
beforeAll(async () => {
  shared = await startQontoSandbox();
});
afterAll(() => shared.close());

describe('token endpoint: authorization_code', () => {
  it('issues ory_-shaped tokens for 3600 s with a refresh token and an id_token, like the documented response', async () => {
    const sandbox = shared;
    const { status, body } = await exchange(sandbox, await obtainCode(sandbox));
    expect(status).toBe(200);
    expect(body).toEqual({
      access_token: expect.stringMatching(/^ory_at_[\w-]{43}\.[\w-]{43}$/),
      expires_in: 3600,
      id_token: expect.stringMatching(/^ey/),
      refresh_token: expect.stringMatching(/^ory_rt_[\w-]{43}\.[\w-]{43}$/),
      scope: 'offline_access openid membership.read organization.read',
      token_type: 'bearer',
    });
  });

  it('gives codes the ory_ac_ shape', async () => {
    const sandbox = shared;
    expect(await obtainCode(sandbox)).toMatch(/^ory_ac_[\w-]{43}\.[\w-]{43}$/);
  });

  it('signs an RS256 id_token shaped like Qonto example, verifiable with the JWKS', async () => {
    const sandbox = shared;
    const user = sandbox.users[1]!;
    const { body } = await exchange(sandbox, await obtainCode(sandbox, { params: { nonce: 'n-1' } }));
    const jwks = (await (await fetch(`${sandbox.url}/.well-known/jwks.json`)).json()) as JSONWebKeySet;
    const { payload } = await jwtVerify(body.id_token as string, createLocalJWKSet(jwks), {
      issuer: sandbox.url,
      audience: sandbox.clients[0]!.clientId,
      currentDate: new Date(sandbox.clock.now()),
    });
    expect(decodeProtectedHeader(body.id_token as string)).toEqual({
      alg: 'RS256',
      kid: expect.stringMatching(/^private:[0-9a-f-]{36}$/),
      typ: 'JWT',
    });
    expect(payload).toMatchObject({
      iss: sandbox.url,
      aud: [sandbox.clients[0]!.clientId],
      sub: user.id,
      email: user.email,
      at_hash: atHash(body.access_token as string),
      nonce: 'n-1',
      sid: expect.any(String),
      jti: expect.any(String),
    });
    expect(payload.exp! - payload.iat!).toBe(3600);
    expect(typeof payload.auth_time).toBe('number');
    expect(sandbox.url.endsWith('/')).toBe(false);
  });

  it('issues no refresh token without offline_access and no id_token without openid', async () => {
    const sandbox = shared;
    const code = await obtainCode(sandbox, { params: { scope: 'organization.read' } });
    const { status, body } = await exchange(sandbox, code);
    expect(status).toBe(200);
    expect(body).not.toHaveProperty('refresh_token');
    expect(body).not.toHaveProperty('id_token');
    expect(body.scope).toBe('organization.read');
  });

  it('accepts a code 1 s before its 10 minutes end', async () => {
    const sandbox = await startSandbox();
    const code = await obtainCode(sandbox);
    sandbox.clock.advance(10 * 60_000 - 1000);
    expect((await exchange(sandbox, code)).status).toBe(200);
  });

  it('refuses a code 1 s after its 10 minutes with invalid_grant', async () => {
    const sandbox = await startSandbox();
    const code = await obtainCode(sandbox);
    sandbox.clock.advance(10 * 60_000 + 1000);
    const { status, body } = await exchange(sandbox, code);
    expect(status).toBe(400);
    expect(body).toEqual({
      error: 'invalid_grant',
      error_description: expect.stringContaining('10 minutes'),
    });
  });

  it('refuses a reused code and revokes the tokens the first exchange issued', async () => {
    const sandbox = shared;
    const code = await obtainCode(sandbox);
    const first = await exchange(sandbox, code);
    expect((await apiGet(sandbox, '/v2/organization', first.body.access_token as string)).status).toBe(200);
    const second = await exchange(sandbox, code);
    expect(second.status).toBe(400);
    expect(second.body.error).toBe('invalid_grant');
    expect((await apiGet(sandbox, '/v2/organization', first.body.access_token as string)).status).toBe(401);
    const refresh = await postToken(sandbox, {
      grant_type: 'refresh_token',
      refresh_token: first.body.refresh_token as string,
      ...clientForm(sandbox),
    });
    expect(refresh.body.error).toBe('invalid_grant');
  });

  it('requires the exact redirect_uri of the authorization request', async () => {
    const sandbox = shared;
    const code = await obtainCode(sandbox);
    for (const redirect_uri of [`${REDIRECT_URI}/`, 'http://127.0.0.1:80/callback', '']) {
      const { status, body } = await exchange(sandbox, code, { redirect_uri });
      expect([status, body.error]).toEqual([400, 'invalid_grant']);
    }
    expect((await exchange(sandbox, code)).status).toBe(200);
  });

  it('checks PKCE S256: a wrong or missing verifier is invalid_grant, the right one works', async () => {
    const sandbox = shared;
    const { verifier, challenge } = pkcePair();
    const code = await obtainCode(sandbox, {
      params: { code_challenge: challenge, code_challenge_method: 'S256' },
    });
    expect((await exchange(sandbox, code, { code_verifier: pkcePair().verifier })).body).toEqual({
      error: 'invalid_grant',
      error_description: expect.stringContaining('code_verifier does not match'),
    });
    expect((await exchange(sandbox, code)).body.error).toBe('invalid_grant');
    expect((await exchange(sandbox, code, { code_verifier: verifier })).status).toBe(200);
  });

  it('refuses a code_verifier for a code that had no code_challenge', async () => {
    const sandbox = shared;
    const code = await obtainCode(sandbox);
    expect((await exchange(sandbox, code, { code_verifier: pkcePair().verifier })).body.error).toBe(
      'invalid_grant',
    );
  });

  it("refuses another client's code", async () => {
    const sandbox = await startSandbox();
    sandbox.addClient({ clientId: 'other', clientSecret: 'other-secret', redirectUris: [REDIRECT_URI] });
    const code = await obtainCode(sandbox);
    const { body } = await exchange(sandbox, code, { client_id: 'other', client_secret: 'other-secret' });
    expect(body.error).toBe('invalid_grant');
  });
});

describe('token endpoint: client authentication and request format', () => {
  it('checks client authentication before the grant: a wrong secret is invalid_client whatever the code', async () => {
    const sandbox = shared;
    const code = await obtainCode(sandbox);
    for (const form of [{ code }, { code: 'ory_ac_nonsense' }]) {
      const { status, body } = await exchange(sandbox, form.code, { client_secret: 'wrong' });
      expect([status, body.error]).toEqual([401, 'invalid_client']);
    }
    const unknown = await exchange(sandbox, 'x', { client_id: 'nobody' });
    expect([unknown.status, unknown.body.error]).toEqual([401, 'invalid_client']);
    expect((await exchange(sandbox, code)).status).toBe(200);
  });

  it('refuses HTTP Basic client authentication with invalid_client (client_secret_post only)', async () => {
    const sandbox = shared;
    const code = await obtainCode(sandbox);
    const { client_id, client_secret } = clientForm(sandbox);
    const basic = Buffer.from(`${client_id}:${client_secret}`).toString('base64');
    const { status, body } = await postToken(
      sandbox,
      { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, client_id },
      { 'X-Qonto-Staging-Token': sandbox.stagingToken, Authorization: `Basic ${basic}` },
    );
    expect(status).toBe(401);
    expect(body).toEqual({
      error: 'invalid_client',
      error_description: expect.stringContaining('client_secret_post'),
    });
  });

  it('refuses a JSON body with 400 invalid_request', async () => {
    const sandbox = shared;
    const code = await obtainCode(sandbox);
    const response = await fetch(sandbox.endpoints.tokenUrl, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Qonto-Staging-Token': sandbox.stagingToken },
      body: JSON.stringify({
        grant_type: 'authorization_code',
        code,
        redirect_uri: REDIRECT_URI,
        ...clientForm(sandbox),
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'invalid_request',
      error_description: expect.stringContaining('application/x-www-form-urlencoded'),
    });
  });

  it('answers unsupported_grant_type and invalid_request with RFC 6749 bodies', async () => {
    const sandbox = shared;
    const password = await postToken(sandbox, { grant_type: 'password', ...clientForm(sandbox) });
    expect([password.status, password.body.error]).toEqual([400, 'unsupported_grant_type']);
    const noCode = await postToken(sandbox, { grant_type: 'authorization_code', ...clientForm(sandbox) });
    expect([noCode.status, noCode.body.error]).toEqual([400, 'invalid_request']);
    expect(Object.keys(noCode.body).sort()).toEqual(['error', 'error_description']);
  });
});

describe('token endpoint: refresh_token rotation', () => {
  async function tokens(sandbox?: QontoSandbox) {
    sandbox ??= await startSandbox();
    const { body } = await exchange(sandbox, await obtainCode(sandbox));
    const refresh = (refresh_token: string) =>
      postToken(sandbox, { grant_type: 'refresh_token', refresh_token, ...clientForm(sandbox) });
    return { sandbox, body, refresh };
  }

  it('rotates: each refresh returns a new refresh token and a 3600 s access token', async () => {
    const { body, refresh } = await tokens(shared);
    const next = await refresh(body.refresh_token as string);
    expect(next.status).toBe(200);
    expect(next.body.refresh_token).toMatch(/^ory_rt_/);
    expect(next.body.refresh_token).not.toBe(body.refresh_token);
    expect(next.body.access_token).not.toBe(body.access_token);
    expect(next.body.expires_in).toBe(3600);
    expect((await refresh(next.body.refresh_token as string)).status).toBe(200);
  });

  it('keeps a used refresh token valid 59 s after its first use: each use issues a pair, and every pair works', async () => {
    const { sandbox, body, refresh } = await tokens();
    const uses = [await refresh(body.refresh_token as string)];
    sandbox.clock.advance(30_000);
    uses.push(await refresh(body.refresh_token as string));
    sandbox.clock.advance(29_000);
    uses.push(await refresh(body.refresh_token as string));
    expect(uses.map((u) => u.status)).toEqual([200, 200, 200]);
    for (const use of uses) {
      expect((await apiGet(sandbox, '/v2/organization', use.body.access_token as string)).status).toBe(200);
    }
    expect((await refresh(uses[1]!.body.refresh_token as string)).status).toBe(200);
  });

  it('treats a use 61 s after the first as a replay: invalid_grant, and every token of the family is revoked', async () => {
    const { sandbox, body, refresh } = await tokens();
    const first = await refresh(body.refresh_token as string);
    const newest = await refresh(first.body.refresh_token as string);
    sandbox.clock.advance(61_000);
    const late = await refresh(body.refresh_token as string);
    expect(late.status).toBe(400);
    expect(late.body).toEqual({
      error: 'invalid_grant',
      error_description: expect.stringMatching(
        /more than 60 s ago.*every token of this connection is now revoked/,
      ),
    });
    // RFC 9700 §4.14.2: the thief and the victim both lose the grant, the newest tokens included.
    const again = await refresh(newest.body.refresh_token as string);
    expect([again.status, again.body.error]).toEqual([400, 'invalid_grant']);
    for (const accessToken of [body.access_token, first.body.access_token, newest.body.access_token]) {
      expect((await apiGet(sandbox, '/v2/organization', accessToken as string)).status).toBe(401);
    }
  });

  it('revokes only the replayed family: another connection of the same user keeps working', async () => {
    const { sandbox, body, refresh } = await tokens();
    const other = await exchange(sandbox, await obtainCode(sandbox));
    await refresh(body.refresh_token as string);
    sandbox.clock.advance(61_000);
    expect((await refresh(body.refresh_token as string)).status).toBe(400);
    expect((await apiGet(sandbox, '/v2/organization', other.body.access_token as string)).status).toBe(200);
    expect((await refresh(other.body.refresh_token as string)).status).toBe(200);
  });

  it("refuses another client's refresh token and an unknown one", async () => {
    const { sandbox, body } = await tokens();
    sandbox.addClient({ clientId: 'other', clientSecret: 'other-secret', redirectUris: [REDIRECT_URI] });
    const other = await postToken(sandbox, {
      grant_type: 'refresh_token',
      refresh_token: body.refresh_token as string,
      client_id: 'other',
      client_secret: 'other-secret',
    });
    expect(other.body.error).toBe('invalid_grant');
    const unknown = await postToken(sandbox, {
      grant_type: 'refresh_token',
      refresh_token: 'ory_rt_unknown',
      ...clientForm(sandbox),
    });
    expect(unknown.body.error).toBe('invalid_grant');
  });

  it('expires access tokens after 3600 s by the sandbox clock', async () => {
    const { sandbox, body } = await tokens();
    sandbox.clock.advance(3599_000);
    expect((await apiGet(sandbox, '/v2/organization', body.access_token as string)).status).toBe(200);
    sandbox.clock.advance(2000);
    expect((await apiGet(sandbox, '/v2/organization', body.access_token as string)).status).toBe(401);
  });
});
