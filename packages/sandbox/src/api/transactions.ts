import type { Request, Response } from 'express';
import type { SandboxContext } from '../context.js';
import type { SeedTransaction } from '../seed/index.js';
import { apiError, grantOf } from './auth.js';
import { queryValue, sendPage } from './pagination.js';

const STATUSES = ['pending', 'declined', 'completed'] as const;
const SORTS = ['settled_at:desc', 'settled_at:asc', 'updated_at:desc', 'updated_at:asc'] as const;

/** The values of `name[]` and `name` together, as a list. */
function listParam(req: Request, name: string): string[] {
  return [queryValue(req, `${name}[]`), queryValue(req, name)]
    .flat()
    .filter((v): v is string => v !== undefined);
}

/** A date-time bound, or a 422 already sent (`false`). */
function dateParam(req: Request, res: Response, name: string): number | undefined | false {
  const raw = queryValue(req, name);
  if (raw === undefined) return undefined;
  const ms = typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
  if (!Number.isNaN(ms)) return ms;
  apiError(
    res,
    422,
    'invalid_parameter',
    `${name} must be a date-time (ISO 8601, e.g. 2019-01-10T11:47:53.123Z), not ${JSON.stringify(raw)}.`,
    name,
  );
  return false;
}

function inRange(value: string | null, from: number | undefined, to: number | undefined): boolean {
  if (from === undefined && to === undefined) return true;
  if (value === null) return false;
  const ms = Date.parse(value);
  return (from === undefined || ms >= from) && (to === undefined || ms <= to);
}

/** The sort key: `settled_at` falls back to `emitted_at` for pending and declined ones (emulator choice). */
function sortKey(t: SeedTransaction, field: 'settled_at' | 'updated_at'): string {
  return field === 'updated_at' ? t.updated_at : (t.settled_at ?? t.emitted_at);
}

/**
 * `GET /v2/transactions` (scope `organization.read`), as on
 * https://docs.qonto.com/api-reference/business-api/transactions-statements/transactions/list-transactions: one bank
 * account of the token's organization by `bank_account_id` or `iban` (the id wins when both are given), the
 * `status[]`, `updated_at_from`/`_to` and `settled_at_from`/`_to` filters (bounds included), `sort_by`
 * (`settled_at` or `updated_at`, `:asc` or `:desc`; default `settled_at:desc`, newest first, an emulator choice)
 * and Qonto's pagination.
 */
export function listTransactions(ctx: SandboxContext) {
  return (req: Request, res: Response): void => {
    const organizationId = grantOf(res).organizationId;
    const accountId = queryValue(req, 'bank_account_id');
    const iban = queryValue(req, 'iban');
    if (accountId === undefined && iban === undefined) {
      apiError(
        res,
        422,
        'missing_parameter',
        'bank_account_id or iban is required: take them from GET /v2/organization or GET /v2/bank_accounts.',
        'bank_account_id',
      );
      return;
    }
    // A bank account of another organization is as unknown as one that does not exist (emulator choice: 404).
    const account = ctx.data.bankAccounts.find(
      (a) =>
        a.organization_id === organizationId &&
        (accountId !== undefined ? a.id === accountId : a.iban === String(iban).replace(/\s+/g, '')),
    );
    if (!account) {
      const [name, value] = accountId !== undefined ? ['bank_account_id', accountId] : ['iban', iban];
      apiError(
        res,
        404,
        'not_found',
        `No bank account with ${name} ${JSON.stringify(value)} in the organization this token belongs to.`,
        name,
      );
      return;
    }

    const statuses = listParam(req, 'status');
    const unknownStatus = statuses.find((s) => !(STATUSES as readonly string[]).includes(s));
    if (unknownStatus !== undefined) {
      apiError(res, 422, 'not_in_list', `status must be one of: ${STATUSES.join(', ')}`, 'status');
      return;
    }
    const sortBy = queryValue(req, 'sort_by') ?? 'settled_at:desc';
    if (typeof sortBy !== 'string' || !(SORTS as readonly string[]).includes(sortBy)) {
      apiError(res, 422, 'not_in_list', `sort_by must be one of: ${SORTS.join(', ')}`, 'sort_by');
      return;
    }
    const bounds: Record<string, number | undefined> = {};
    for (const name of ['updated_at_from', 'updated_at_to', 'settled_at_from', 'settled_at_to']) {
      const value = dateParam(req, res, name);
      if (value === false) return;
      bounds[name] = value;
    }

    const [field, direction] = sortBy.split(':') as ['settled_at' | 'updated_at', 'asc' | 'desc'];
    const selected = ctx.data.transactions
      .filter(
        (t) =>
          t.bank_account_id === account.id &&
          (statuses.length === 0 || statuses.includes(t.status)) &&
          inRange(t.updated_at, bounds.updated_at_from, bounds.updated_at_to) &&
          inRange(t.settled_at, bounds.settled_at_from, bounds.settled_at_to),
      )
      // The seed is newest first: a stable sort keeps ties in that order, reversed for ascending.
      .sort((a, b) =>
        sortKey(b, field) < sortKey(a, field) ? -1 : sortKey(b, field) > sortKey(a, field) ? 1 : 0,
      );
    if (direction === 'asc') selected.reverse();
    sendPage(req, res, 'transactions', selected);
  };
}
