import { describe, expect, it } from 'vitest';
import { isValidIban } from '../src/seed/iban.js';
import {
  apiGet,
  clientForm,
  exchange,
  obtainCode,
  postToken,
  REDIRECT_URI,
  startSandbox,
} from './helpers.js';

async function connected(o: { scope?: string; userIndex?: number; organizationIndex?: number } = {}) {
  const sandbox = await startSandbox();
  const user = sandbox.users[o.userIndex ?? 1]!;
  const code = await obtainCode(sandbox, {
    user,
    organizationId: user.organizations[o.organizationIndex ?? 0]!.id,
    params: o.scope ? { scope: o.scope } : {},
  });
  const { body } = await exchange(sandbox, code);
  return {
    sandbox,
    user,
    accessToken: body.access_token as string,
    refreshToken: body.refresh_token as string,
  };
}

describe('GET /v2/membership and /v2/organization', () => {
  it("returns the member in Qonto's membership shape", async () => {
    const { sandbox, user, accessToken } = await connected();
    const response = await apiGet(sandbox, '/v2/membership', accessToken);
    expect(response.status).toBe(200);
    const { membership } = (await response.json()) as { membership: Record<string, unknown> };
    expect(Object.keys(membership).sort()).toEqual(
      [
        'email',
        'first_name',
        'id',
        'kyc_status',
        'last_name',
        'locale',
        'phone_number',
        'position',
        'role',
        'status',
        'team_id',
      ].sort(),
    );
    expect(membership).toMatchObject({
      email: user.email,
      first_name: user.firstName,
      last_name: user.lastName,
      status: 'active',
    });
  });

  it("returns the chosen organization with its bank accounts (valid IBANs) in Qonto's shape", async () => {
    const { sandbox, user, accessToken } = await connected({ userIndex: 0, organizationIndex: 1 });
    const response = await apiGet(sandbox, '/v2/organization', accessToken);
    const { organization } = (await response.json()) as {
      organization: Record<string, unknown> & { bank_accounts: Record<string, unknown>[] };
    };
    expect(organization).toMatchObject({
      id: user.organizations[1]!.id,
      slug: user.organizations[1]!.slug,
      legal_name: user.organizations[1]!.legalName,
      legal_country: 'FR',
      legal_number: expect.stringMatching(/^\d{9}$/),
      contract_signed_at: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{6}$/),
    });
    expect(organization.bank_accounts.length).toBeGreaterThan(0);
    for (const account of organization.bank_accounts) {
      expect(isValidIban(account.iban as string)).toBe(true);
      expect(account).toMatchObject({ currency: 'EUR', status: 'active', bic: 'TRZOFR21XXX' });
      expect(account.balance).toBe((account.balance_cents as number) / 100);
      expect(account).not.toHaveProperty('organization_id');
    }
    expect(organization.bank_accounts.filter((a) => a.main)).toHaveLength(1);
  });

  it("answers 403 with Qonto's JSON:API error and trace id when the token lacks the scope", async () => {
    const { sandbox, accessToken } = await connected({ scope: 'offline_access openid' });
    for (const path of ['/v2/membership', '/v2/organization']) {
      const response = await apiGet(sandbox, path, accessToken);
      expect(response.status).toBe(403);
      const body = (await response.json()) as { trace_id: string };
      expect(body).toEqual({
        errors: [{ code: 'forbidden', detail: 'missing required oauth scope' }],
        trace_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      });
      expect(response.headers.get('x-tyk-trace-id')).toBe(body.trace_id);
    }
  });

  it('answers 401 for a missing or unknown token', async () => {
    const sandbox = await startSandbox();
    const unknown = await apiGet(sandbox, '/v2/organization', 'ory_at_unknown');
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as { errors: unknown[] }).errors).toHaveLength(1);
    const none = await fetch(`${sandbox.url}/v2/organization`, {
      headers: { 'X-Qonto-Staging-Token': sandbox.stagingToken },
    });
    expect(none.status).toBe(401);
  });
});

describe('DELETE /v2/oauth2/consents', () => {
  it("answers 204 and revokes that membership's tokens for that client only", async () => {
    const { sandbox, user, accessToken, refreshToken } = await connected();
    // The same membership through another client, and another membership through the same client.
    sandbox.addClient({
      clientId: 'second-app',
      clientSecret: 'second-secret',
      redirectUris: [REDIRECT_URI],
    });
    const otherClientCode = await obtainCode(sandbox, { user, params: { client_id: 'second-app' } });
    const otherClient = await exchange(sandbox, otherClientCode, {
      client_id: 'second-app',
      client_secret: 'second-secret',
    });
    const owner = sandbox.users[0]!;
    const otherMembership = await exchange(
      sandbox,
      await obtainCode(sandbox, { user: owner, organizationId: owner.organizations[0]!.id }),
    );

    const revoked = await apiGet(sandbox, '/v2/oauth2/consents', accessToken, 'DELETE');
    expect(revoked.status).toBe(204);
    expect((await apiGet(sandbox, '/v2/organization', accessToken)).status).toBe(401);
    const refresh = await postToken(sandbox, {
      grant_type: 'refresh_token',
      refresh_token: refreshToken,
      ...clientForm(sandbox),
    });
    expect(refresh.body.error).toBe('invalid_grant');
    expect((await apiGet(sandbox, '/v2/organization', otherClient.body.access_token as string)).status).toBe(
      200,
    );
    expect(
      (await apiGet(sandbox, '/v2/organization', otherMembership.body.access_token as string)).status,
    ).toBe(200);
  });

  it('needs organization.read', async () => {
    const { sandbox, accessToken } = await connected({ scope: 'membership.read' });
    expect((await apiGet(sandbox, '/v2/oauth2/consents', accessToken, 'DELETE')).status).toBe(403);
  });
});
