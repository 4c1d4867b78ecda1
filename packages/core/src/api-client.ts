import type {
  QontoAttachment,
  QontoBankAccount,
  QontoLabel,
  QontoMembership,
  QontoOrganization,
  QontoTransaction,
  QontoTransactionInclude,
} from './api-resources.js';
import { readApiResponse } from './api-response.js';
import { type QontoEndpoints, type QontoEnvironment, resolveEndpoints } from './environments.js';
import { QontoConfigError, QontoUnexpectedResponseError } from './errors.js';
import { createQontoFetch, type QontoRetryOptions } from './fetch.js';
import { bearerToken } from './header-token.js';
import { mustBe, NOT_QONTO, requireString } from './messages.js';
import { ORGANIZATION_ID_HEADER, organizationIdOption } from './organization-header.js';
import { cut, redactSecrets } from './redact.js';
import { DEFAULT_MAX_API_RESPONSE_BYTES, discardBody } from './response-body.js';
import type { QontoTokenManager } from './token-manager.js';
import { assertTransactionsAccount, type QontoTransactionsQuery } from './transactions-query.js';

/**
 * Query parameters; an array becomes repeated `key[]=value` pairs, as Qonto's filters expect (`status[]=pending`),
 * and a `Date` its ISO 8601 form.
 */
export type QontoQuery = Record<string, string | number | boolean | Date | string[] | undefined>;

/** Options of {@link QontoApiClient}. */
export interface QontoApiClientOptions {
  /** `'production'`, `'sandbox'` or custom endpoints (an emulator). */
  environment: QontoEnvironment;
  /** Sandbox only: your app's `X-Qonto-Staging-Token` (Developer Portal > your app > Sandbox credentials). */
  stagingToken?: string;
  /** A {@link QontoTokenManager} (refreshes before expiry, and once after a 401), or a bare access token. */
  tokens: QontoTokenManager | string;
  /**
   * The organization every request is about, sent as `X-Qonto-Organization-Id`: needed with a token of the user
   * OAuth flow (`identityType: 'user'`), which covers every organization the user consented to
   * (https://docs.qonto.com/get-started/business-api/authentication/oauth/user-oauth-flow). Leave it out with the
   * default membership flow, whose token is for one organization.
   */
  organizationId?: string | undefined;
  /** Your own `fetch` (a proxy agent, instrumentation); the staging header and retries are added around it. */
  fetch?: typeof fetch;
  /** Per-request timeout in ms (default 30,000). */
  timeoutMs?: number;
  /** Retries of GET/HEAD/OPTIONS/DELETE on 429, 5xx and network errors (default 2), or `false`. */
  retry?: QontoRetryOptions | false;
  /**
   * The most an answer may weigh, in bytes (default 8 MiB): a larger one is refused while it streams, before it is
   * buffered, with `QontoUnexpectedResponseError`. Raise it for an endpoint you know answers more.
   */
  maxResponseBytes?: number;
}

/**
 * Qonto's Business API (https://docs.qonto.com/api-reference/business-api) with the details handled: the bearer
 * token (refreshed through a {@link QontoTokenManager}), the sandbox staging header (through `createQontoFetch`,
 * on sandbox origins only), retries of idempotent requests, JSON:API error bodies turned into
 * {@link QontoApiError}, and `meta.next_page` pagination.
 *
 * @example
 * const api = new QontoApiClient({ environment: 'sandbox', stagingToken, tokens: manager });
 * const organization = await api.getOrganization();
 * for await (const tx of api.paginate('/v2/transactions', { itemsKey: 'transactions', query: { bank_account_id } })) {}
 */
export class QontoApiClient {
  /** The resolved endpoints of the environment. */
  readonly endpoints: QontoEndpoints;
  readonly #baseUrl: string;
  readonly #fetch: typeof fetch;
  readonly #tokens: QontoTokenManager | string;
  readonly #stagingToken: string | undefined;
  readonly #maxResponseBytes: number;
  readonly #organizationId: string | undefined;

  constructor(o: QontoApiClientOptions) {
    const endpoints = resolveEndpoints(o?.environment);
    const tokens = o.tokens;
    if (
      typeof (tokens as QontoTokenManager | undefined)?.refreshNow !== 'function' &&
      (typeof tokens !== 'string' || !tokens)
    ) {
      throw new QontoConfigError(
        mustBe('tokens', 'a QontoTokenManager (it refreshes the token) or an access token', tokens),
      );
    }
    this.endpoints = endpoints;
    this.#baseUrl = endpoints.apiBaseUrl;
    this.#tokens = tokens;
    this.#stagingToken = o.stagingToken;
    this.#organizationId = organizationIdOption(o.organizationId);
    this.#maxResponseBytes = o.maxResponseBytes ?? DEFAULT_MAX_API_RESPONSE_BYTES;
    if (!Number.isSafeInteger(this.#maxResponseBytes) || this.#maxResponseBytes < 1) {
      throw new QontoConfigError(
        `maxResponseBytes must be a whole number of bytes, at least 1 (default ${DEFAULT_MAX_API_RESPONSE_BYTES}).`,
      );
    }
    this.#fetch = createQontoFetch({
      environment: endpoints,
      stagingToken: o.stagingToken,
      fetch: o.fetch,
      timeoutMs: o.timeoutMs,
      retry: o.retry,
    });
  }

  /**
   * Sends a request to `path` (e.g. `/v2/organization`) and returns the parsed JSON, or `undefined` for a 204.
   * A string body is sent as JSON unless you set `content-type`. With a token manager, a 401 triggers exactly one
   * refresh and one retry (so the body must be re-sendable: a string, not a stream).
   */
  async request<T>(path: string, init: RequestInit = {}): Promise<T> {
    return (await this.#exchange(path, init)).body as T;
  }

  /** {@link request}, also returning the secrets it sent, to scrub anything built from the answer afterwards. */
  async #exchange(
    path: string,
    init: RequestInit,
  ): Promise<{ body: unknown; secrets: (string | undefined)[] }> {
    const url = this.#url(path);
    const method = (init.method ?? 'GET').toUpperCase();
    const manager = typeof this.#tokens === 'string' ? undefined : this.#tokens;
    let accessToken = manager === undefined ? (this.#tokens as string) : await manager.getAccessToken();
    let response = await this.#send(url, init, accessToken);
    let refreshed = false;
    if (response.status === 401 && manager !== undefined) {
      await discardBody(response);
      // Another request (or process) may already have refreshed: its token is used rather than rotating again.
      accessToken = (await manager.refreshNow({ rejectedAccessToken: accessToken })).accessToken;
      response = await this.#send(url, init, accessToken);
      refreshed = true;
    }
    const secrets = [accessToken, this.#stagingToken];
    const body = await readApiResponse(
      response,
      `${method} ${url.pathname}`,
      secrets,
      refreshed,
      this.#maxResponseBytes,
    );
    return { body, secrets };
  }

  /** `GET path?query` and the parsed JSON. */
  get<T>(path: string, query?: QontoQuery): Promise<T> {
    return this.request<T>(withQuery(path, query));
  }

  /**
   * Every item of a paginated list, page after page, following `meta.next_page` until it is null
   * (https://docs.qonto.com/get-started/general/pagination). `itemsKey` names the array in each page
   * (`transactions`, `memberships`...); `perPage` is 1 to 100 (default 100, Qonto's maximum).
   */
  paginate(
    path: '/v2/transactions',
    o: { itemsKey: 'transactions'; query: QontoTransactionsQuery; perPage?: number },
  ): AsyncIterable<QontoTransaction>;
  paginate<T>(path: string, o: { itemsKey: string; query?: QontoQuery; perPage?: number }): AsyncIterable<T>;
  paginate<T>(path: string, o: { itemsKey: string; query?: QontoQuery; perPage?: number }): AsyncIterable<T> {
    const perPage = o?.perPage ?? 100;
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) {
      throw new QontoConfigError(
        `perPage must be a whole number from 1 to 100 (Qonto's limit), not ${perPage}.`,
      );
    }
    const itemsKey = requireString(
      o.itemsKey,
      'itemsKey (the name of the list in each page, e.g. transactions)',
    );
    return this.#pages<T>(path, itemsKey, o.query ?? {}, perPage);
  }

  /** The authenticated membership, unwrapped from `{ membership }` (scope `membership.read`). */
  async getMembership(): Promise<QontoMembership> {
    return this.#field('/v2/membership', 'membership');
  }

  /** The authenticated organization with its `bank_accounts`, unwrapped from `{ organization }` (scope `organization.read`). */
  async getOrganization(): Promise<QontoOrganization> {
    return this.#field('/v2/organization', 'organization');
  }

  /**
   * One transaction by its `id` (the UUID, not `transaction_id`), unwrapped from `{ transaction }` (scope
   * `organization.read`). `includes` embeds its `labels`, `attachments` (each with a 30-minute `url`) or
   * `vat_details`.
   * https://docs.qonto.com/api-reference/business-api/transactions-statements/transactions/retrieve-a-transaction
   */
  async getTransaction(
    id: string,
    o: { includes?: QontoTransactionInclude[] } = {},
  ): Promise<QontoTransaction> {
    const includes = o?.includes ?? [];
    return this.#field(
      `/v2/transactions/${pathSegment(id)}`,
      'transaction',
      false,
      includes[0] && { includes },
    );
  }

  /**
   * One bank account of the organization by id, unwrapped from `{ bank_account }` (scope `organization.read`).
   * https://docs.qonto.com/api-reference/business-api/accounts-organizations/business-accounts/retrieve
   */
  async getBankAccount(id: string): Promise<QontoBankAccount> {
    return this.#field(`/v2/bank_accounts/${pathSegment(id)}`, 'bank_account');
  }

  /**
   * One attachment by id, unwrapped from `{ attachment }` (scope `organization.read` or `attachment.read`). Its
   * `url` downloads the file with no token for 30 minutes; after that, call this again for a new one.
   * https://docs.qonto.com/api-reference/business-api/transactions-statements/attachments/retrieve-an-attachment
   */
  async getAttachment(id: string): Promise<QontoAttachment> {
    return this.#field(`/v2/attachments/${pathSegment(id)}`, 'attachment');
  }

  /**
   * The attachments of a transaction (scope `organization.read` or `attachment.read`); up to 5, in one answer.
   * https://docs.qonto.com/api-reference/business-api/transactions-statements/attachments-in-transactions/list-attachments-for-a-transaction
   */
  async listTransactionAttachments(transactionId: string): Promise<QontoAttachment[]> {
    return this.#field(`/v2/transactions/${pathSegment(transactionId)}/attachments`, 'attachments', true);
  }

  /**
   * Uploads a file (PDF, JPEG or PNG) to a transaction (scope `attachment.write`), as multipart `file`, with the
   * `X-Qonto-Idempotency-Key` Qonto requires: a new UUID unless you pass yours (pass the same one when you retry an
   * upload, so Qonto keeps one copy). Qonto processes the file in the background: it shows in
   * {@link listTransactionAttachments} a little later. The POST is never retried on its own.
   * https://docs.qonto.com/api-reference/business-api/transactions-statements/attachments-in-transactions/upload-an-attachment-to-a-transaction
   */
  async uploadAttachment(
    transactionId: string,
    file: Blob,
    o: { fileName?: string; idempotencyKey?: string } = {},
  ): Promise<void> {
    const path = `/v2/transactions/${pathSegment(transactionId)}/attachments`;
    if (!(file instanceof Blob)) {
      throw new QontoConfigError(
        mustBe('file', 'a Blob or File, e.g. new Blob([bytes], { type: "application/pdf" })', file),
      );
    }
    const fileName = o?.fileName ?? (file instanceof File && file.name !== '' ? file.name : 'attachment');
    const form = new FormData();
    form.append('file', file, fileName);
    await this.request(path, {
      method: 'POST',
      body: form,
      headers: { 'X-Qonto-Idempotency-Key': idempotencyKey(o?.idempotencyKey) },
    });
  }

  /**
   * Every label of the organization, page after page (scope `organization.read`): `id`, `name` and the
   * `parent_id` of the label that groups it. Transactions point at them with `label_ids`.
   * https://docs.qonto.com/api-reference/business-api/expense-management/labels/list-labels
   */
  listLabels(o: { perPage?: number } = {}): AsyncIterable<QontoLabel> {
    return this.paginate<QontoLabel>('/v2/labels', { itemsKey: 'labels', perPage: o?.perPage });
  }

  /**
   * The transactions of one account, page after page (scope `organization.read`), with Qonto's filters typed:
   * `status` (one), `side`, `operation_type`, `emitted_at_*`, `settled_at_*` and `updated_at_*` bounds (ISO 8601
   * strings or `Date`s, inclusive), `with_attachments`, `sort_by` and `includes`. Without `bank_account_id` or
   * `iban` it throws `QontoConfigError` before any request.
   * https://docs.qonto.com/api-reference/business-api/transactions-statements/transactions/list-transactions
   */
  listTransactions(
    query: QontoTransactionsQuery,
    o: { perPage?: number } = {},
  ): AsyncIterable<QontoTransaction> {
    assertTransactionsAccount(query);
    return this.paginate('/v2/transactions', { itemsKey: 'transactions', query, perPage: o?.perPage });
  }

  /** `GET path` and the body's `key`: an object with an id, or the list of a list endpoint. */
  async #field<T>(path: string, key: string, list = false, query?: QontoQuery): Promise<T> {
    return (await this.#body(path, key, list, query))[key] as T;
  }

  /**
   * `GET path` and its body, once `body[key]` is there: an array for a `list`, else an object with an id. Without
   * it, the answer is not Qonto's, or `paginate`'s `itemsKey` (`page` given) names another list.
   */
  async #body(
    path: string,
    key: string,
    list: boolean,
    query?: QontoQuery,
    page?: number,
  ): Promise<Record<string, unknown>> {
    const { body, secrets } = await this.#exchange(withQuery(path, query), {});
    const record = (typeof body === 'object' && body) || {};
    const value = (record as Record<string, unknown>)[key];
    if (list ? Array.isArray(value) : typeof (value as { id?: unknown } | null)?.id === 'string') {
      return record as Record<string, unknown>;
    }
    // The first keys, scrubbed and cut: enough to spot the right key, never a secret.
    const keys = Object.keys(record);
    const shown = keys.slice(0, 10).map((k) => cut(redactSecrets(k, secrets), 40));
    throw new QontoUnexpectedResponseError(
      `Qonto API GET ${path}${page === undefined ? '' : ` page ${page}`} has no "${key}" ${list ? 'array' : 'object with an id'} ` +
        `(keys: ${shown.join(', ') || 'none'}${keys.length > 10 ? ', …' : ''}). ` +
        (page !== undefined ? 'Fix: set itemsKey to the name of the list, e.g. transactions.' : NOT_QONTO),
    );
  }

  async *#pages<T>(path: string, itemsKey: string, query: QontoQuery, perPage: number): AsyncGenerator<T> {
    for (let page = Number(query.page ?? 1); ; ) {
      const body = await this.#body(path, itemsKey, true, { ...query, page, per_page: perPage }, page);
      const meta = body.meta as { current_page?: unknown; next_page?: unknown } | undefined;
      // Checked before its items go out: another page's items again would reach the caller twice.
      if (typeof meta?.current_page === 'number' && meta.current_page !== page) {
        throw new QontoUnexpectedResponseError(
          `Qonto API GET ${path} answered page ${meta.current_page} when asked for page ${page}: stopped, before ` +
            `handing out its items again. ${NOT_QONTO}`,
        );
      }
      yield* body[itemsKey] as T[];
      const next = meta?.next_page;
      if (next == null) return;
      if (!Number.isInteger(next) || (next as number) <= page) {
        // A number is shown as is; anything else only by its type: a string may carry anything.
        throw new QontoUnexpectedResponseError(
          `Qonto API GET ${path} page ${page} gave meta.next_page ${typeof next === 'number' ? next : `of type ${typeof next}`}, ` +
            `not a later page: stopped, to avoid an endless loop. ${NOT_QONTO}`,
        );
      }
      page = next as number;
    }
  }

  #url(path: string): URL {
    if (typeof path !== 'string' || !path.startsWith('/') || path.startsWith('//')) {
      throw new QontoConfigError(
        `The API path must start with one "/", e.g. /v2/organization (got ${JSON.stringify(String(path))}): ` +
          'the token only goes to the configured environment.',
      );
    }
    return new URL(this.#baseUrl + path);
  }

  #send(url: URL, init: RequestInit, accessToken: string): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('Authorization', `Bearer ${bearerToken(accessToken, 'The access token')}`);
    if (!headers.has('accept')) headers.set('Accept', 'application/json');
    if (this.#organizationId !== undefined && !headers.has(ORGANIZATION_ID_HEADER))
      headers.set(ORGANIZATION_ID_HEADER, this.#organizationId);
    if (typeof init.body === 'string' && !headers.has('content-type'))
      headers.set('Content-Type', 'application/json');
    return this.#fetch(url, { ...init, headers });
  }
}

/** The idempotency key to send: the one given, once checked, else a new UUID v4 (the form Qonto documents). */
function idempotencyKey(given: unknown): string {
  if (given === undefined) return crypto.randomUUID();
  if (typeof given !== 'string' || !/^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$/i.test(given)) {
    throw new QontoConfigError(
      mustBe('idempotencyKey', 'a UUID (v4, as Qonto documents), e.g. crypto.randomUUID()', given),
    );
  }
  return given;
}

function withQuery(path: string, query: QontoQuery = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      const name = key.endsWith('[]') ? key : `${key}[]`;
      for (const item of value) params.append(name, item);
    } else if (value instanceof Date) {
      if (Number.isNaN(value.getTime())) {
        throw new QontoConfigError(
          `Query parameter ${key} is an invalid Date: pass a valid Date or an ISO 8601 string.`,
        );
      }
      params.append(key, value.toISOString());
    } else {
      params.append(key, String(value));
    }
  }
  const search = params.toString();
  if (search === '') return path;
  return `${path}${path.includes('?') ? '&' : '?'}${search}`;
}

/** An id for a URL path: a non-empty string, percent-encoded so it stays one segment. */
function pathSegment(id: unknown): string {
  return encodeURIComponent(requireString(id, 'The id'));
}
