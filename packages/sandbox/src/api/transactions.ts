import { apiError, notFoundInOrganization } from '../api-errors.js';
import type { SandboxContext } from '../context.js';
import type { HttpRequest } from '../http/request.js';
import { sendJson } from '../http/respond.js';
import type { HttpResponse } from '../http/response.js';
import type { SeedTransaction } from '../seed/index.js';
import { anyAttachment, attachmentView } from './attachment-view.js';
import { grantOf } from './auth.js';
import { queryValue, sendPage } from './pagination.js';
import { includesParam, matchesFilters, readTransactionFilters, sortKey } from './transaction-filters.js';

/** The transaction with this `id` in this organization (another organization's is as unknown as a missing one). */
export function findTransaction(
  ctx: SandboxContext,
  organizationId: string,
  id: string,
): SeedTransaction | undefined {
  const t = ctx.data.transactions.find((x) => x.id === id);
  const owner = t && ctx.data.bankAccounts.find((a) => a.id === t.bank_account_id)?.organization_id;
  return owner === organizationId ? t : undefined;
}

/**
 * The VAT lines of `vat_details`: none without VAT, one at `vat_rate`, or for `vat_rate: -1` (several rates) a 20 %
 * and a 10 % line that add up to `vat_amount_cents` (the split is an emulator choice).
 */
function vatItems(t: SeedTransaction): { rate: number; amount: number; amount_cents: number }[] {
  if (t.vat_rate === null || t.vat_amount_cents === null) return [];
  if (t.vat_rate !== -1)
    return [{ rate: t.vat_rate, amount: t.vat_amount_cents / 100, amount_cents: t.vat_amount_cents }];
  const main = Math.round(t.vat_amount_cents * 0.7);
  const rest = t.vat_amount_cents - main;
  return [
    { rate: 20, amount: main / 100, amount_cents: main },
    { rate: 10, amount: rest / 100, amount_cents: rest },
  ];
}

/** The transaction's `attachment_ids` as served: the seed's, then the uploads that show by now. */
function servedAttachmentIds(ctx: SandboxContext, t: SeedTransaction): string[] {
  const uploaded = ctx.uploads
    .filter((a) => a.transactionId === t.id && (a.visibleAt ?? 0) <= ctx.clock.now())
    .map((a) => a.id);
  return uploaded.length === 0 ? t.attachment_ids : [...t.attachment_ids, ...uploaded];
}

/**
 * A transaction as served: its `attachment_ids` with the uploads that show, and the embeds of `includes`:
 * `labels` (`id`, `name`, `parent_id`), `attachments` (as `GET /v2/attachments/{id}`, each with a fresh `url`) and
 * `vat_details` (`items` of `rate`, `amount`, `amount_cents`: its shape is not published, an emulator choice).
 */
export function transactionView(ctx: SandboxContext, t: SeedTransaction, includes: ReadonlySet<string>) {
  const view: Record<string, unknown> = { ...t, attachment_ids: servedAttachmentIds(ctx, t) };
  if (includes.has('vat_details')) view.vat_details = { items: vatItems(t) };
  if (includes.has('labels')) {
    view.labels = t.label_ids.flatMap((id) => {
      const label = ctx.data.labels.find((l) => l.id === id);
      return label ? [{ id: label.id, name: label.name, parent_id: label.parent_id }] : [];
    });
  }
  if (includes.has('attachments')) {
    view.attachments = (view.attachment_ids as string[]).flatMap((id) => {
      const attachment = anyAttachment(ctx, id);
      return attachment ? [attachmentView(ctx, attachment)] : [];
    });
  }
  return view;
}

/**
 * `GET /v2/transactions` (scope `organization.read`), as on
 * https://docs.qonto.com/api-reference/business-api/transactions-statements/transactions/list-transactions: one bank
 * account of the token's organization by `bank_account_id` or `iban` (the id wins when both are given), the
 * filters and `includes[]` of `readTransactionFilters`, the sort (`sort_by`, default `settled_at:desc`, newest
 * first, an emulator choice) and Qonto's pagination.
 */
export function listTransactions(ctx: SandboxContext) {
  return (req: HttpRequest, res: HttpResponse): void => {
    const organizationId = grantOf(res).organizationId;
    const accountId = queryValue(req, 'bank_account_id');
    const iban = queryValue(req, 'iban');
    if (accountId === undefined && iban === undefined) {
      apiError(
        res,
        422,
        'missing_parameter',
        'bank_account_id or iban is required: take them from GET /v2/organization or GET /v2/bank_accounts.',
        { parameter: 'bank_account_id' },
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
        { parameter: name as string },
      );
      return;
    }

    const filters = readTransactionFilters(req, res);
    if (filters === undefined) return;
    const field = filters.sortField;
    const selected = ctx.data.transactions
      .filter(
        (t) =>
          t.bank_account_id === account.id && matchesFilters(t, filters, servedAttachmentIds(ctx, t).length),
      )
      // The seed is newest first: a stable sort keeps ties in that order, reversed for ascending.
      .sort((a, b) =>
        sortKey(b, field) < sortKey(a, field) ? -1 : sortKey(b, field) > sortKey(a, field) ? 1 : 0,
      );
    if (!filters.descending) selected.reverse();
    // Only the page served is built: each embedded attachment gets a freshly signed URL.
    sendPage(req, res, 'transactions', selected, (t) => transactionView(ctx, t, filters.includes));
  };
}

/**
 * `GET /v2/transactions/{id}` (scope `organization.read`,
 * https://docs.qonto.com/api-reference/business-api/transactions-statements/transactions/retrieve-a-transaction):
 * `{ transaction }` with the same fields and `includes[]` as the list; 404 for an id of another organization.
 */
export function getTransaction(ctx: SandboxContext) {
  return (req: HttpRequest, res: HttpResponse): void => {
    const t = findTransaction(ctx, grantOf(res).organizationId, req.params.id as string);
    if (!t) {
      notFoundInOrganization(res, 'transaction', req.params.id);
      return;
    }
    const includes = includesParam(req, res);
    if (includes === undefined) return;
    sendJson(res, 200, { transaction: transactionView(ctx, t, includes) });
  };
}
