import { notFoundInOrganization } from '../api-errors.js';
import type { SandboxContext } from '../context.js';
import { sendJson } from '../http/respond.js';
import type { HttpResponse } from '../http/response.js';
import type { Router } from '../http/router.js';
import type { SeedBankAccount } from '../seed/index.js';
import { authorized, grantOf } from './auth.js';
import { sendPage } from './pagination.js';

/**
 * A bank account as `GET /v2/bank_accounts` lists it
 * (https://docs.qonto.com/api-reference/business-api/accounts-organizations/business-accounts/list): the fields of
 * its example, in that order, with `account_number` a string or null as real clients read it. A `manager` sees only
 * `id`, `name`, `status`, `main` and `organization_id`, as that page says.
 */
export function bankAccountView(a: SeedBankAccount, role: string | undefined) {
  if (role === 'manager') {
    return { id: a.id, name: a.name, organization_id: a.organization_id, status: a.status, main: a.main };
  }
  return {
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
    is_external_account: a.is_external_account,
    account_number: a.account_number,
  };
}

/**
 * A bank account as `GET /v2/organization` embeds it: every seed field but the owner's id, or for a `manager` the
 * fields `GET /v2/bank_accounts` shows a manager (emulator choice: Qonto documents the restriction on that page only).
 */
export function organizationBankAccount(a: SeedBankAccount, role: string | undefined) {
  if (role === 'manager') return { id: a.id, name: a.name, status: a.status, main: a.main };
  const { organization_id: _owner, ...account } = a;
  return account;
}

/** The role of the membership a request's token belongs to. */
export function roleOf(ctx: SandboxContext, res: HttpResponse): string | undefined {
  const membershipId = grantOf(res).membershipId;
  return ctx.data.memberships.find((m) => m.id === membershipId)?.role;
}

/** `GET /v2/bank_accounts` and `GET /v2/bank_accounts/{id}` (scope `organization.read`). */
export function bankAccountRoutes(ctx: SandboxContext, router: Router): void {
  const organizationRead = authorized(ctx, 'organization.read');

  // `meta` as every list has it (https://docs.qonto.com/get-started/general/pagination), although the example
  // shows none.
  router.get('/v2/bank_accounts', organizationRead, (req, res) => {
    const accounts = ctx.data.bankAccounts.filter((a) => a.organization_id === grantOf(res).organizationId);
    const role = roleOf(ctx, res);
    sendPage(req, res, 'bank_accounts', accounts, (a) => bankAccountView(a, role));
  });

  // https://docs.qonto.com/api-reference/business-api/accounts-organizations/business-accounts/retrieve
  router.get('/v2/bank_accounts/:id', organizationRead, (req, res) => {
    const account = ctx.data.bankAccounts.find(
      (a) => a.id === req.params.id && a.organization_id === grantOf(res).organizationId,
    );
    if (!account) {
      notFoundInOrganization(res, 'bank account', req.params.id);
      return;
    }
    sendJson(res, 200, { bank_account: bankAccountView(account, roleOf(ctx, res)) });
  });
}
