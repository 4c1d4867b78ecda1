import { describe, expect, it } from 'vitest';
import type { QontoSandbox } from '../src/types.js';
import {
  apiGet,
  clientForm,
  exchange,
  obtainCode,
  postToken,
  REDIRECT_URI,
  startSandbox,
} from './helpers.js';

function revoke(
  sandbox: QontoSandbox,
  form: Record<string, string>,
  headers: Record<string, string> = { 'X-Qonto-Staging-Token': sandbox.stagingToken },
) {
  return fetch(`${sandbox.url}/oauth2/revoke`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
    redirect: 'manual',
  });
}

async function connected(sandbox: QontoSandbox) {
  const { body } = await exchange(sandbox, await obtainCode(sandbox));
  return { accessToken: body.access_token as string, refreshToken: body.refresh_token as string };
}

describe('POST /oauth2/revoke (RFC 7009, as Ory Hydra answers it)', () => {
  it.each([
    ['the refresh token', 'refreshToken'],
    ['the access token', 'accessToken'],
  ] as const)('revokes the whole grant given %s: 200 with an empty body', async (_what, which) => {
    const sandbox = await startSandbox();
    const tokens = await connected(sandbox);
    // A rotation first: its tokens belong to the same grant.
    const rotated = await postToken(sandbox, {
      grant_type: 'refresh_token',
      refresh_token: tokens.refreshToken,
      ...clientForm(sandbox),
    });
    const response = await revoke(sandbox, { token: tokens[which], ...clientForm(sandbox) });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    for (const token of [tokens.accessToken, rotated.body.access_token as string]) {
      expect((await apiGet(sandbox, '/v2/organization', token)).status).toBe(401);
    }
    const refresh = await postToken(sandbox, {
      grant_type: 'refresh_token',
      refresh_token: rotated.body.refresh_token as string,
      ...clientForm(sandbox),
    });
    expect(refresh.body.error).toBe('invalid_grant');
  });

  it('answers 200 for an unknown or already revoked token, and leaves other grants alone', async () => {
    const sandbox = await startSandbox();
    const kept = await connected(sandbox);
    const gone = await connected(sandbox);
    expect((await revoke(sandbox, { token: 'ory_rt_unknown', ...clientForm(sandbox) })).status).toBe(200);
    expect((await revoke(sandbox, { token: gone.refreshToken, ...clientForm(sandbox) })).status).toBe(200);
    expect((await revoke(sandbox, { token: gone.refreshToken, ...clientForm(sandbox) })).status).toBe(200);
    expect((await apiGet(sandbox, '/v2/organization', kept.accessToken)).status).toBe(200);
  });

  it("authenticates the client first, refuses another client's token, and sits behind the staging gate", async () => {
    const sandbox = await startSandbox();
    const tokens = await connected(sandbox);
    const wrongSecret = await revoke(sandbox, {
      token: tokens.refreshToken,
      client_id: clientForm(sandbox).client_id,
      client_secret: 'no',
    });
    expect(wrongSecret.status).toBe(401);
    expect(((await wrongSecret.json()) as { error: string }).error).toBe('invalid_client');

    sandbox.addClient({ clientId: 'other-app', clientSecret: 'other-secret', redirectUris: [REDIRECT_URI] });
    const other = await revoke(sandbox, {
      token: tokens.refreshToken,
      client_id: 'other-app',
      client_secret: 'other-secret',
    });
    expect(other.status).toBe(400);
    expect(((await other.json()) as { error: string }).error).toBe('unauthorized_client');
    expect((await apiGet(sandbox, '/v2/organization', tokens.accessToken)).status).toBe(200);

    const missing = await revoke(sandbox, clientForm(sandbox));
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: string }).error).toBe('invalid_request');

    const gated = await revoke(sandbox, { token: tokens.refreshToken, ...clientForm(sandbox) }, {});
    expect(gated.status).toBe(302);
    expect(sandbox.requests.find((r) => r.path === '/oauth2/revoke')).toMatchObject({ clientAuth: 'post' });
  });
});
