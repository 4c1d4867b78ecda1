import express from 'express';
import { setTraceHeader } from '../api-errors.js';
import type { SandboxContext } from '../context.js';
import { rateLimit } from '../rate-limit.js';
import { stagingGate } from '../staging-gate.js';
import { webhookSubscriptionRoutes } from '../webhooks/routes.js';
import { attachmentRoutes } from './attachments.js';
import { authorized, grantOf } from './auth.js';
import { bankAccountRoutes, organizationBankAccount, roleOf } from './bank-accounts.js';
import { sendPage } from './pagination.js';
import { statementRoutes } from './statements.js';
import { getTransaction, listTransactions } from './transactions.js';

/**
 * The Business API subset: profiles, bank accounts, transactions, attachments, labels, memberships and
 * disconnecting. Every path under `/v2` is behind the staging gate and the rate limit, and carries the gateway's
 * trace header; every route then checks the bearer token and its scope. A path no route serves gets the gateway's
 * plain-text 404 (in the server), whatever the token.
 */
export function apiRoutes(ctx: SandboxContext): express.Router {
  const router = express.Router();
  router.use('/v2', stagingGate(ctx, 'api'), rateLimit(ctx), (_req, res, next) => {
    setTraceHeader(res);
    next();
  });
  const organizationRead = authorized(ctx, 'organization.read');

  // https://docs.qonto.com/api-reference/business-api/endpoints/memberships/retrieve-the-authenticated-membership
  router.get('/v2/membership', authorized(ctx, 'membership.read'), (_req, res) => {
    const found = ctx.data.memberships.find((m) => m.id === grantOf(res).membershipId);
    if (!found) throw new Error('A grant points at a membership the seed data does not have');
    const { userId: _user, organizationId: _organization, ...membership } = found;
    res.json({ membership });
  });

  // https://docs.qonto.com/api-reference/business-api/accounts-organizations/organizations/retrieve-the-authenticated-organization-and-list-bank-accounts
  router.get('/v2/organization', organizationRead, (_req, res) => {
    const organization = ctx.data.organizations.find((o) => o.id === grantOf(res).organizationId);
    if (!organization) throw new Error('A grant points at an organization the seed data does not have');
    const role = roleOf(ctx, res);
    const bank_accounts = ctx.data.bankAccounts
      .filter((a) => a.organization_id === organization.id)
      .map((a) => organizationBankAccount(a, role));
    res.json({ organization: { ...organization, bank_accounts } });
  });

  router.use(bankAccountRoutes(ctx));
  router.get('/v2/transactions', organizationRead, listTransactions(ctx));
  router.get('/v2/transactions/:id', organizationRead, getTransaction(ctx));
  router.use(attachmentRoutes(ctx));
  router.use(statementRoutes(ctx));
  router.use(webhookSubscriptionRoutes(ctx));

  // https://docs.qonto.com/api-reference/business-api/expense-management/labels/list-labels: `id`, `name`,
  // `parent_id` (a parent label groups others), paginated.
  router.get('/v2/labels', organizationRead, (req, res) => {
    const labels = ctx.data.labels
      .filter((l) => l.organizationId === grantOf(res).organizationId)
      .map(({ organizationId: _organization, ...label }) => label);
    sendPage(req, res, 'labels', labels);
  });

  // https://docs.qonto.com/api-reference/business-api/accounts-organizations/memberships/list-memberships
  router.get('/v2/memberships', organizationRead, (req, res) => {
    const members = ctx.data.memberListings
      .filter((m) => m.organizationId === grantOf(res).organizationId)
      .map(({ organizationId: _organization, ...member }) => member);
    sendPage(req, res, 'memberships', members);
  });

  // https://docs.qonto.com/api-reference/business-api/authentication/oauth2/revoke-oauth-consents: the success
  // status is not documented; 204 is the emulator's choice.
  router.delete('/v2/oauth2/consents', organizationRead, (_req, res) => {
    const grant = grantOf(res);
    ctx.store.revokeConsents(grant.membershipId, grant.clientId);
    res.status(204).end();
  });

  return router;
}
