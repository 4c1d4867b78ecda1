import { apiError } from '../api-errors.js';
import type { HttpRequest } from '../http/request.js';
import type { HttpResponse } from '../http/response.js';
import type { SeedTransaction } from '../seed/index.js';
import { queryValue } from './pagination.js';

const STATUSES = ['pending', 'declined', 'completed'] as const;
const SIDES = ['debit', 'credit'] as const;
/**
 * The operation types the emulator knows: those of its seed and those whose per-type object real clients read
 * (formance's Qonto client). Qonto publishes no full list, so this one is an emulator choice.
 */
export const OPERATION_TYPES = [
  'card',
  'transfer',
  'income',
  'direct_debit',
  'qonto_fee',
  'swift_income',
  'direct_debit_collection',
  'direct_debit_hold',
  'check',
  'financing_installment',
  'pagopa_payment',
] as const;
const SORTS = ['settled_at:desc', 'settled_at:asc', 'updated_at:desc', 'updated_at:asc'] as const;
/** The embeds `includes[]` takes (list-transactions page). */
const INCLUDES = ['vat_details', 'labels', 'attachments'] as const;
const DATE_BOUNDS = [
  'emitted_at_from',
  'emitted_at_to',
  'settled_at_from',
  'settled_at_to',
  'updated_at_from',
  'updated_at_to',
] as const;

/** What `GET /v2/transactions` was asked for, its parameters read and checked. */
export interface TransactionFilters {
  status: string | undefined;
  side: string | undefined;
  operationTypes: string[];
  bounds: Partial<Record<(typeof DATE_BOUNDS)[number], number>>;
  withAttachments: boolean | undefined;
  sortField: 'settled_at' | 'updated_at';
  descending: boolean;
  includes: Set<string>;
}

/** The values of `name[]` and `name` together, as a list. */
function listParam(req: HttpRequest, name: string): string[] {
  return [queryValue(req, `${name}[]`), queryValue(req, name)]
    .flat()
    .filter((v): v is string => v !== undefined);
}

/** A parameter that takes one value: repeated, it is no value of any list (so a 422 names it). */
function single(req: HttpRequest, name: string): string | undefined {
  const value = queryValue(req, name);
  return Array.isArray(value) ? value.join(',') : value;
}

/** Every value of `name` is one of `allowed`, or a 422 `not_in_list` in Qonto's words is sent (`false`). */
function inList(res: HttpResponse, name: string, values: string[], allowed: readonly string[]): boolean {
  if (values.every((v) => allowed.includes(v))) return true;
  apiError(res, 422, 'not_in_list', `${name} must be one of: ${allowed.join(', ')}`, { parameter: name });
  return false;
}

/** A date-time bound, or a 422 already sent (`false`). */
function dateParam(req: HttpRequest, res: HttpResponse, name: string): number | undefined | false {
  const raw = queryValue(req, name);
  if (raw === undefined) return undefined;
  const ms = typeof raw === 'string' ? Date.parse(raw) : Number.NaN;
  if (!Number.isNaN(ms)) return ms;
  apiError(
    res,
    422,
    'invalid_parameter',
    `${name} must be a date-time (ISO 8601, e.g. 2019-01-10T11:47:53.123Z), not ${JSON.stringify(raw)}.`,
    { parameter: name },
  );
  return false;
}

/** The `includes[]` asked for, or a 422 already sent (`undefined`) for a value outside the documented three. */
export function includesParam(req: HttpRequest, res: HttpResponse): Set<string> | undefined {
  const includes = listParam(req, 'includes');
  return inList(res, 'includes', includes, INCLUDES) ? new Set(includes) : undefined;
}

/**
 * The filters of the list-transactions page, or a 422 already sent (`undefined`) naming the parameter: a value
 * outside a list → `not_in_list` ("status must be one of: …", Qonto's documented wording); an unreadable date, a
 * `with_attachments` other than `true`/`false`, or several statuses → `invalid_parameter`.
 */
export function readTransactionFilters(req: HttpRequest, res: HttpResponse): TransactionFilters | undefined {
  const statuses = listParam(req, 'status');
  if (!inList(res, 'status', statuses, STATUSES)) return undefined;
  if (statuses.length > 1) {
    apiError(
      res,
      422,
      'invalid_parameter',
      `status[] takes one status per request (${statuses.join(', ')} were sent): Qonto honours only one, so a union is not what it would answer. Make one request per status.`,
      { parameter: 'status' },
    );
    return undefined;
  }
  const side = single(req, 'side');
  if (side !== undefined && !inList(res, 'side', [side], SIDES)) return undefined;
  const operationTypes = listParam(req, 'operation_type');
  if (!inList(res, 'operation_type', operationTypes, OPERATION_TYPES)) return undefined;
  const sortBy = single(req, 'sort_by') ?? 'settled_at:desc';
  if (!inList(res, 'sort_by', [sortBy], SORTS)) return undefined;
  const bounds: TransactionFilters['bounds'] = {};
  for (const name of DATE_BOUNDS) {
    const value = dateParam(req, res, name);
    if (value === false) return undefined;
    if (value !== undefined) bounds[name] = value;
  }
  const withAttachments = single(req, 'with_attachments');
  if (withAttachments !== undefined && withAttachments !== 'true' && withAttachments !== 'false') {
    apiError(
      res,
      422,
      'invalid_parameter',
      `with_attachments must be true or false, not ${JSON.stringify(withAttachments)}.`,
      { parameter: 'with_attachments' },
    );
    return undefined;
  }
  const includes = includesParam(req, res);
  if (includes === undefined) return undefined;
  const [field, direction] = sortBy.split(':') as ['settled_at' | 'updated_at', 'asc' | 'desc'];
  return {
    status: statuses[0],
    side,
    operationTypes,
    bounds,
    withAttachments: withAttachments === undefined ? undefined : withAttachments === 'true',
    sortField: field,
    descending: direction === 'desc',
    includes,
  };
}

function inRange(value: string | null, from: number | undefined, to: number | undefined): boolean {
  if (from === undefined && to === undefined) return true;
  if (value === null) return false;
  const ms = Date.parse(value);
  return (from === undefined || ms >= from) && (to === undefined || ms <= to);
}

/**
 * Whether `t` passes every filter; `attachmentCount` is what the transaction shows now (uploads included). Bounds
 * are inclusive, and a bound on a null date (a pending transaction's `settled_at`) leaves it out.
 */
export function matchesFilters(t: SeedTransaction, f: TransactionFilters, attachmentCount: number): boolean {
  const b = f.bounds;
  return (
    (f.status === undefined || t.status === f.status) &&
    (f.side === undefined || t.side === f.side) &&
    (f.operationTypes.length === 0 || f.operationTypes.includes(t.operation_type)) &&
    inRange(t.emitted_at, b.emitted_at_from, b.emitted_at_to) &&
    inRange(t.settled_at, b.settled_at_from, b.settled_at_to) &&
    inRange(t.updated_at, b.updated_at_from, b.updated_at_to) &&
    (f.withAttachments === undefined || attachmentCount > 0 === f.withAttachments)
  );
}

/** The sort key: `settled_at` falls back to `emitted_at` for pending and declined ones (emulator choice). */
export function sortKey(t: SeedTransaction, field: 'settled_at' | 'updated_at'): string {
  return field === 'updated_at' ? t.updated_at : (t.settled_at ?? t.emitted_at);
}
