import { randomBytes } from 'node:crypto';
import type { QontoSandbox, SandboxUser } from '@qonto-oauth/sandbox';
import { completeAuthorization } from '@qonto-oauth/sandbox/testing';

/** What an app connected to one organization must show: read from the emulator's API, not from the app. */
export interface OrganizationFacts {
  legalName: string;
  /** Every bank account's IBAN. */
  ibans: string[];
  /** Labels of the main account's latest transactions, newest first (Qonto's default order). */
  latestTransactionLabels: string[];
}

type Organization = SandboxUser['organizations'][number];

/** The demo user who is a member of two organizations (the organization picker's case), and those two. */
export function userWithTwoOrganizations(sandbox: QontoSandbox): {
  user: SandboxUser;
  organizations: [Organization, Organization];
} {
  const user = sandbox.users.find((u) => u.organizations.length === 2);
  if (!user) throw new Error('The demo users have no user with two organizations any more');
  return { user, organizations: user.organizations as [Organization, Organization] };
}

interface OrganizationBody {
  organization: { legal_name: string; bank_accounts: { id: string; iban: string; main: boolean }[] };
}

/**
 * Connects a client of the test's own to `organizationId` as `user`, outside any app and any browser, and reads the
 * organization, its accounts and the main account's transactions over the Business API: the page an app renders is
 * then compared with what Qonto (here, the emulator) really holds for that organization.
 */
export async function organizationFacts(
  sandbox: QontoSandbox,
  user: SandboxUser,
  organizationId: string,
): Promise<OrganizationFacts> {
  const client = { clientId: 'e2e-facts', clientSecret: randomBytes(16).toString('hex') };
  const redirectUri = 'http://127.0.0.1/e2e-facts';
  sandbox.addClient({ ...client, redirectUris: [redirectUri] });
  const authorize = new URL('/oauth2/auth', sandbox.url);
  authorize.search = new URLSearchParams({
    client_id: client.clientId,
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: 'organization.read',
    state: randomBytes(16).toString('hex'),
  }).toString();
  const callback = new URL(
    await completeAuthorization(authorize.toString(), {
      email: user.email,
      password: user.password,
      organizationId,
    }),
  );
  const headers = { 'X-Qonto-Staging-Token': sandbox.stagingToken };
  const token = await fetch(`${sandbox.url}/oauth2/token`, {
    method: 'POST',
    headers,
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') ?? '',
      redirect_uri: redirectUri,
      client_id: client.clientId,
      client_secret: client.clientSecret,
    }),
  });
  if (!token.ok) throw new Error(`The emulator refused the test's own code exchange: ${token.status}`);
  const { access_token } = (await token.json()) as { access_token: string };
  const get = async <T>(path: string): Promise<T> => {
    const response = await fetch(`${sandbox.url}${path}`, {
      headers: { ...headers, Authorization: `Bearer ${access_token}` },
    });
    if (!response.ok) throw new Error(`GET ${path} on the emulator answered ${response.status}`);
    return (await response.json()) as T;
  };
  const { organization } = await get<OrganizationBody>('/v2/organization');
  const main = organization.bank_accounts.find((a) => a.main) ?? organization.bank_accounts[0];
  const { transactions } = await get<{ transactions: { label: string }[] }>(
    `/v2/transactions?bank_account_id=${encodeURIComponent(main?.id ?? '')}&per_page=3`,
  );
  return {
    legalName: organization.legal_name,
    ibans: organization.bank_accounts.map((a) => a.iban),
    latestTransactionLabels: transactions.map((t) => t.label),
  };
}
