import express from 'express';
import type { SandboxContext } from '../context.js';
import { rateLimit } from '../rate-limit.js';
import { stagingGate } from '../staging-gate.js';
import { bearerAuth, grantOf, requireScope } from './auth.js';
import { sendPage } from './pagination.js';
import { listTransactions } from './transactions.js';

/** The account number inside a French IBAN (`FRkk BBBBB GGGGG CCCCCCCCCCC KK`), a number as in Qonto's example. */
function accountNumber(iban: string): number {
  return Number(iban.slice(14, 25));
}

/**
 * The Business API subset: profiles, bank accounts, transactions, memberships and disconnecting. Every route is
 * behind the staging gate, the rate limit and a bearer token, and checks its scope.
 */
export function apiRoutes(ctx: SandboxContext): express.Router {
  const router = express.Router();
  router.use('/v2', stagingGate(ctx, 'api'), rateLimit(ctx), bearerAuth(ctx));

  // https://docs.qonto.com/api-reference/business-api/endpoints/memberships/retrieve-the-authenticated-membership
  router.get('/v2/membership', requireScope('membership.read'), (_req, res) => {
    const found = ctx.data.memberships.find((m) => m.id === grantOf(res).membershipId);
    if (!found) throw new Error('A grant points at a membership the seed data does not have');
    const { userId: _user, organizationId: _organization, ...membership } = found;
    res.json({ membership });
  });

  // https://docs.qonto.com/api-reference/business-api/accounts-organizations/organizations/retrieve-the-authenticated-organization-and-list-bank-accounts
  router.get('/v2/organization', requireScope('organization.read'), (_req, res) => {
    const organization = ctx.data.organizations.find((o) => o.id === grantOf(res).organizationId);
    if (!organization) throw new Error('A grant points at an organization the seed data does not have');
    const bank_accounts = ctx.data.bankAccounts
      .filter((a) => a.organization_id === organization.id)
      .map(({ organization_id: _owner, ...account }) => account);
    res.json({ organization: { ...organization, bank_accounts } });
  });

  // https://docs.qonto.com/api-reference/business-api/accounts-organizations/business-accounts/list: the fields
  // of its example, in that order; the owner and admin users see them all. `meta` as every list has it
  // (https://docs.qonto.com/get-started/general/pagination), although the example shows none.
  router.get('/v2/bank_accounts', requireScope('organization.read'), (req, res) => {
    const accounts = ctx.data.bankAccounts
      .filter((a) => a.organization_id === grantOf(res).organizationId)
      .map((a) => ({
        id: a.id,
        name: a.name,
        organization_id: a.organization_id,
        status: a.status,
        main: a.main,
        iban: a.iban,
        bic: a.bic,
        currency: a.currency,
        balance: a.balance,
        balance_cents: a.balance_cents,
        authorized_balance: a.authorized_balance,
        authorized_balance_cents: a.authorized_balance_cents,
        updated_at: a.updated_at,
        is_external_account: false,
        account_number: accountNumber(a.iban),
      }));
    sendPage(req, res, 'bank_accounts', accounts);
  });

  router.get('/v2/transactions', requireScope('organization.read'), listTransactions(ctx));

  // https://docs.qonto.com/api-reference/business-api/accounts-organizations/memberships/list-memberships
  router.get('/v2/memberships', requireScope('organization.read'), (req, res) => {
    const members = ctx.data.memberListings
      .filter((m) => m.organizationId === grantOf(res).organizationId)
      .map(({ organizationId: _organization, ...member }) => member);
    sendPage(req, res, 'memberships', members);
  });

  // https://docs.qonto.com/api-reference/business-api/authentication/oauth2/revoke-oauth-consents: the success
  // status is not documented; 204 is the emulator's choice.
  router.delete('/v2/oauth2/consents', requireScope('organization.read'), (_req, res) => {
    const grant = grantOf(res);
    ctx.store.revokeConsents(grant.membershipId, grant.clientId);
    res.status(204).end();
  });

  return router;
}
