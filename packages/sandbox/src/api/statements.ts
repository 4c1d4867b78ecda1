import { apiError, notFoundInOrganization } from '../api-errors.js';
import type { SandboxContext } from '../context.js';
import { presignedFileUrl } from '../files.js';
import { sendJson } from '../http/respond.js';
import type { Router } from '../http/router.js';
import type { SeedStatement } from '../seed/index.js';
import { authorized, grantOf } from './auth.js';
import { queryValue, sendPage } from './pagination.js';

const SORTS = ['period:desc', 'period:asc'] as const;

/**
 * A statement as `GET /v2/statements` lists it: `id`, `bank_account_id`, `period` and its `file` (`file_name`,
 * `file_content_type`, `file_size` as a string, as qontoctl reads it, and a 30-minute `file_url` like an
 * attachment's `url`).
 */
function statementView(ctx: SandboxContext, s: SeedStatement) {
  return {
    id: s.id,
    bank_account_id: s.bank_account_id,
    period: s.period,
    file: {
      file_name: s.file.file_name,
      file_content_type: s.file.file_content_type,
      file_size: String(s.file.bytes.length),
      file_url: presignedFileUrl(ctx, s.file),
    },
  };
}

/** `MM-YYYY` as a sortable `YYYY-MM`, or undefined for another form. */
function periodKey(period: string): string | undefined {
  const m = /^(0[1-9]|1[0-2])-(\d{4})$/.exec(period);
  return m ? `${m[2]}-${m[1]}` : undefined;
}

/**
 * `GET /v2/statements` and `GET /v2/statements/{id}` (scope `organization.read`,
 * https://docs.qonto.com/api-reference/business-api/transactions-statements/statements/list-statements): the
 * organization's monthly statements, paginated, filtered by `bank_account_ids[]`, `period_from` and `period_to`
 * (`MM-YYYY`, bounds included) and sorted by `sort_by` (`period:desc`, the default, or `period:asc`); a period in
 * another form or another sort → 422. The filters' names come from real clients (qontoctl), their forms and the
 * default order are emulator choices.
 */
export function statementRoutes(ctx: SandboxContext, router: Router): void {
  const organizationRead = authorized(ctx, 'organization.read');

  router.get('/v2/statements', organizationRead, (req, res) => {
    const bounds: (string | undefined)[] = [];
    for (const name of ['period_from', 'period_to']) {
      const raw = queryValue(req, name);
      const key = typeof raw === 'string' ? periodKey(raw) : undefined;
      if (raw !== undefined && key === undefined) {
        apiError(res, 422, 'invalid_parameter', `${name} must be a month as MM-YYYY, e.g. 01-2025.`, {
          parameter: name,
        });
        return;
      }
      bounds.push(key);
    }
    const sortBy = queryValue(req, 'sort_by') ?? 'period:desc';
    if (typeof sortBy !== 'string' || !(SORTS as readonly string[]).includes(sortBy)) {
      apiError(res, 422, 'not_in_list', `sort_by must be one of: ${SORTS.join(', ')}`, {
        parameter: 'sort_by',
      });
      return;
    }
    const accounts = [queryValue(req, 'bank_account_ids[]'), queryValue(req, 'bank_account_ids')]
      .flat()
      .filter((v): v is string => v !== undefined);
    const [from, to] = bounds;
    const selected = ctx.data.statements
      .filter((s) => {
        const key = periodKey(s.period) as string;
        return (
          s.organizationId === grantOf(res).organizationId &&
          (accounts.length === 0 || accounts.includes(s.bank_account_id)) &&
          (from === undefined || key >= from) &&
          (to === undefined || key <= to)
        );
      })
      .sort((a, b) => {
        const order = (periodKey(a.period) as string).localeCompare(periodKey(b.period) as string);
        return sortBy === 'period:asc' ? order : -order;
      });
    sendPage(req, res, 'statements', selected, (s) => statementView(ctx, s));
  });

  // https://docs.qonto.com/api-reference/business-api/transactions-statements/statements/retrieve-a-statement
  router.get('/v2/statements/:id', organizationRead, (req, res) => {
    const found = ctx.data.statements.find(
      (s) => s.id === req.params.id && s.organizationId === grantOf(res).organizationId,
    );
    if (!found) {
      notFoundInOrganization(res, 'statement', req.params.id);
      return;
    }
    sendJson(res, 200, { statement: statementView(ctx, found) });
  });
}
