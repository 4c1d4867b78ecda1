import { apiError, setTraceHeader } from '../api-errors.js';
import type { SandboxContext } from '../context.js';
import { sendEmpty, sendJson } from '../http/respond.js';
import type { Router, Step } from '../http/router.js';
import { rateLimit } from '../rate-limit.js';
import { stagingGate } from '../staging-gate.js';
import { webhookSubscriptionRoutes } from '../webhooks/routes.js';
import { attachmentRoutes } from './attachments.js';
import { authorized, grantOf } from './auth.js';
import { bankAccountRoutes, organizationBankAccount, roleOf } from './bank-accounts.js';
import { sendPage } from './pagination.js';
import { statementRoutes } from './statements.js';
import { getTransaction, listTransactions } from './transactions.js';

/** Whether `path` is `/v2` or under it (in any ASCII case, as routes match): the API gateway's paths. */
export function isApiPath(path: string): boolean {
  return /^\/v2(?:\/|$)/i.test(path);
}

/**
 * What Qonto's API gateway does on every path under `/v2`, routed or not, before any route: the staging gate, the
 * rate limit, and the trace header on the answer.
 */
export function apiGateway(ctx: SandboxContext): Step[] {
  return [stagingGate(ctx, 'api'), rateLimit(ctx), (_req, res) => setTraceHeader(res)];
}

/**
 * The Business API subset: profiles, bank accounts, transactions, attachments, labels, memberships and
 * disconnecting, behind {@link apiGateway}; every route checks the bearer token and its scope. A path no route
 * serves gets the gateway's plain-text 404 (in the server), whatever the token.
 */
export function apiRoutes(ctx: SandboxContext, router: Router): void {
  const organizationRead = authorized(ctx, 'organization.read');

  // https://docs.qonto.com/api-reference/business-api/endpoints/memberships/retrieve-the-authenticated-membership
  router.get('/v2/membership', authorized(ctx, 'membership.read'), (_req, res) => {
    const found = ctx.data.memberships.find((m) => m.id === grantOf(res).membershipId);
    if (!found) throw new Error('A grant points at a membership the seed data does not have');
    const { userId: _user, organizationId: _organization, ...membership } = found;
    sendJson(res, 200, { membership });
  });

  // https://docs.qonto.com/api-reference/business-api/accounts-organizations/organizations/retrieve-the-authenticated-organization-and-list-bank-accounts
  router.get('/v2/organization', organizationRead, (_req, res) => {
    const organization = ctx.data.organizations.find((o) => o.id === grantOf(res).organizationId);
    if (!organization) throw new Error('A grant points at an organization the seed data does not have');
    const role = roleOf(ctx, res);
    const bank_accounts = ctx.data.bankAccounts
      .filter((a) => a.organization_id === organization.id)
      .map((a) => organizationBankAccount(a, role));
    sendJson(res, 200, { organization: { ...organization, bank_accounts } });
  });

  // https://docs.qonto.com/api-reference/business-api/accounts-organizations/organizations/get-user-organizations
  router.get('/v2/user_organizations', authorized(ctx, 'user_organization.read'), (_req, res) => {
    const grant = grantOf(res);
    if (grant.organizationIds === undefined) {
      // Emulator choice: Qonto documents the endpoint for the user flow only, not its answer to another token.
      apiError(
        res,
        403,
        'forbidden',
        'GET /v2/user_organizations answers tokens of the user OAuth flow only.',
      );
      return;
    }
    const organizations = ctx.data.organizations
      .filter((o) => grant.organizationIds?.includes(o.id))
      .map((o) => ({
        id: o.id,
        name: o.name,
        legal_name: o.legal_name,
        legal_number: o.legal_number,
        legal_country: o.legal_country,
        membership_role: ctx.data.memberships.find(
          (m) => m.userId === grant.userId && m.organizationId === o.id,
        )?.role,
      }));
    sendJson(res, 200, { organizations });
  });

  bankAccountRoutes(ctx, router);
  router.get('/v2/transactions', organizationRead, listTransactions(ctx));
  router.get('/v2/transactions/:id', organizationRead, getTransaction(ctx));
  attachmentRoutes(ctx, router);
  statementRoutes(ctx, router);
  webhookSubscriptionRoutes(ctx, router);

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

  // https://docs.qonto.com/api-reference/business-api/authentication/oauth2/revoke-oauth-consents: "the consents
  // for the authenticated membership", which for a user-flow token is the one of X-Qonto-Organization-Id. The
  // success status is not documented; 204 is the emulator's choice.
  router.delete('/v2/oauth2/consents', organizationRead, (_req, res) => {
    const { clientId, userId, organizationId } = grantOf(res);
    ctx.store.revokeConsents({ clientId, userId, organizationId });
    sendEmpty(res, 204);
  });
}
