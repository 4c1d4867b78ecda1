import { apiError } from '../api-errors.js';
import type { HttpRequest } from '../http/request.js';
import { sendJson } from '../http/respond.js';
import type { HttpResponse } from '../http/response.js';

/** Qonto's `meta` of a list (https://docs.qonto.com/get-started/general/pagination). */
export interface PageMeta {
  current_page: number;
  next_page: number | null;
  prev_page: number | null;
  total_pages: number;
  total_count: number;
  per_page: number;
}

/** A query parameter: its string, or a list when it was repeated (`status[]=a&status[]=b`). */
export function queryValue(req: HttpRequest, name: string): string | undefined | string[] {
  const value = req.query[name];
  if (value === undefined || typeof value === 'string') return value;
  return Array.isArray(value) ? value.map(String) : [String(value)];
}

function positiveInteger(
  req: HttpRequest,
  res: HttpResponse,
  name: string,
  fallback: number,
  max: number,
): number | undefined {
  const raw = queryValue(req, name);
  if (raw === undefined) return fallback;
  const n = typeof raw === 'string' && /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (Number.isSafeInteger(n) && n >= 1 && n <= max) return n;
  const range = max === Number.MAX_SAFE_INTEGER ? 'a whole number from 1' : `a whole number from 1 to ${max}`;
  apiError(res, 422, 'invalid_parameter', `${name} must be ${range}, not ${JSON.stringify(raw)}.`, {
    parameter: name,
  });
  return undefined;
}

/**
 * The page asked for: Qonto's pagination page and URLs say `page`, its parameter table (and Qonto's own MCP server)
 * `current_page`; both are taken. Given both with different values, a 422 (emulator choice: which one Qonto
 * honours is not known, so a client that sends both meets the ambiguity here).
 */
function requestedPage(req: HttpRequest, res: HttpResponse): number | undefined {
  const page = positiveInteger(req, res, 'page', 0, Number.MAX_SAFE_INTEGER);
  if (page === undefined) return undefined;
  const currentPage = positiveInteger(req, res, 'current_page', 0, Number.MAX_SAFE_INTEGER);
  if (currentPage === undefined) return undefined;
  if (page !== 0 && currentPage !== 0 && page !== currentPage) {
    apiError(
      res,
      422,
      'invalid_parameter',
      `page (${page}) and current_page (${currentPage}) disagree: send one of them.`,
      { parameter: 'current_page' },
    );
    return undefined;
  }
  return page || currentPage || 1;
}

/**
 * One page of `items` under `key`, each turned by `view` when given, with `meta`, or a 422 already sent (then
 * `false`). `page` (or `current_page`) defaults to 1 and `per_page` to 100, from 1 to 100, as Qonto documents. A page
 * past the last one is a 422 too (emulator choice, after community reports; Qonto documents nothing there), except
 * page 1 of an empty list.
 */
export function sendPage<T>(
  req: HttpRequest,
  res: HttpResponse,
  key: string,
  items: readonly T[],
  view: (item: T) => unknown = (item) => item,
): boolean {
  const perPage = positiveInteger(req, res, 'per_page', 100, 100);
  if (perPage === undefined) return false;
  const page = requestedPage(req, res);
  if (page === undefined) return false;
  const totalPages = Math.ceil(items.length / perPage);
  if (page > Math.max(totalPages, 1)) {
    apiError(
      res,
      422,
      'invalid_parameter',
      `page ${page} is past the last page (${totalPages}): follow meta.next_page until it is null.`,
      { parameter: 'page' },
    );
    return false;
  }
  const meta: PageMeta = {
    current_page: page,
    next_page: page < totalPages ? page + 1 : null,
    prev_page: page > 1 ? page - 1 : null,
    total_pages: totalPages,
    total_count: items.length,
    per_page: perPage,
  };
  sendJson(res, 200, { [key]: items.slice((page - 1) * perPage, page * perPage).map(view), meta });
  return true;
}
