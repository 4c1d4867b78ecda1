import express from 'express';
import type { SandboxContext } from '../context.js';
import { stagingGate } from '../staging-gate.js';
import { bearerAuth, grantOf, requireScope } from './auth.js';

/**
 * The Business API subset of part 1: enough for profiles and disconnecting. Part 2 (issue 5) adds bank accounts,
 * transactions and memberships to this router.
 */
export function apiRoutes(ctx: SandboxContext): express.Router {
  const router = express.Router();
  router.use('/v2', stagingGate(ctx, 'api'), bearerAuth(ctx));

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

  // https://docs.qonto.com/api-reference/business-api/authentication/oauth2/revoke-oauth-consents: the success
  // status is not documented; 204 is the emulator's choice.
  router.delete('/v2/oauth2/consents', requireScope('organization.read'), (_req, res) => {
    const grant = grantOf(res);
    ctx.store.revokeConsents(grant.membershipId, grant.clientId);
    res.status(204).end();
  });

  return router;
}
