import type { QontoEndpoints } from '@qonto-oauth/core';
import type {
  SandboxEmitWebhookOptions,
  SandboxRevokeConsentOptions,
  SandboxWebhookDelivery,
} from './webhooks/types.js';

/**
 * An OAuth client registered with the emulator, as an app is registered in Qonto's Developer Portal
 * (https://docs.qonto.com/faq-articles/dev-portal-questions/dev-portal-account).
 */
export interface SandboxClient {
  clientId: string;
  clientSecret: string;
  /**
   * Registered redirect URIs, compared exactly, as Qonto does. Emulator extension: the port `*` (as in
   * `http://localhost:*` followed by a path) matches that URI on any port, which the demo client uses.
   */
  redirectUris: string[];
  /**
   * Scopes this client may request. When absent, every scope of `QONTO_SCOPES` except those Qonto refuses to a
   * typical app (`SCOPES_REFUSED_BY_DEFAULT`: `request_review.read`, `beneficiary.trust`).
   */
  allowedScopes?: string[];
  /**
   * Approved by Qonto for the user OAuth flow (`identity_type=user`), which is then its only flow
   * (https://docs.qonto.com/get-started/business-api/authentication/oauth/user-oauth-flow): one token covers every
   * organization the user consented to, and each API call names one in `X-Qonto-Organization-Id`. Default false:
   * `identity_type=user` is refused, as for an app Qonto has not approved.
   */
  userFlow?: boolean;
}

/** A person who can log in on the emulator's pages; one membership per organization. */
export interface SandboxUser {
  /** The id_token `sub`. */
  id: string;
  email: string;
  password: string;
  firstName: string;
  lastName: string;
  organizations: { id: string; slug: string; legalName: string }[];
}

/** How a request carried `X-Qonto-Staging-Token`. */
export type StagingTokenUse =
  /** Exact header name, right value. */
  | 'ok'
  /** No header by any casing. */
  | 'absent'
  /** Exact header name, wrong value. */
  | 'wrong'
  /** A header of that name in another casing (`x-qonto-staging-token`), which Qonto's sandbox does not accept. */
  | 'wrong-case';

/** One request the emulator received. No secret value is kept: no query string, no header value, no body. */
export interface SandboxRequest {
  /** The emulator clock's time when it arrived, epoch ms. */
  at: number;
  method: string;
  /** The path without the query string. */
  path: string;
  /** Header names exactly as sent on the wire (`IncomingMessage.rawHeaders`). */
  headerNames: string[];
  stagingToken: StagingTokenUse;
  /** How the client authenticated at the token endpoint: `client_secret` in the body, HTTP Basic, or neither. */
  clientAuth: 'post' | 'basic' | 'none';
}

/** What a sandbox-mode request without a valid staging token gets (https://docs.qonto.com/get-started/general/sandbox-access). */
export type GateMode =
  /** 302 to `https://qonto.onelogin.com/login` with an HTML body. */
  | 'redirect'
  /** An HTML sign-in page with status 200. */
  | 'html';

/** Options of {@link startQontoSandbox}. */
export interface QontoSandboxOptions {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on; `127.0.0.1` by default. */
  host?: string;
  /** `sandbox` (default): the staging gate is on. `production`: no gate, and a staging token is refused. */
  mode?: 'sandbox' | 'production';
  /** Demo mode: fixed, public credentials (`@qonto-oauth/sandbox/demo`) and the demo users on the login page. */
  demo?: boolean;
  /**
   * Demo mode: the sample apps the home page (`/`) links to, in this order; `DEMO_APPS` (ports 3000–3003) when
   * absent. `pnpm demo` passes the URLs its apps really listen on.
   */
  demoApps?: SandboxDemoApp[];
  /** The staging token to require; random per start (or `demo-staging-token` in demo mode) when absent. */
  stagingToken?: string;
  /** Registered clients; they replace the default client. */
  clients?: SandboxClient[];
  gate?: GateMode;
  /** Seed of the generated data (organizations, memberships, bank accounts, transactions). */
  seed?: number;
  /** Initial time of the emulator's clock, epoch ms; now by default. The transactions are dated back from it. */
  startTime?: number;
  /**
   * The Business API rate limit per client address, by the emulator's clock: Qonto's documented 1,000 requests per
   * 10 s and 10,000 per 10 minutes by default; one `{ requests, windowMs }` window instead (tests reach it in a few
   * requests); or `false` for none.
   */
  rateLimit?: SandboxRateLimit | false;
  /**
   * Receives one line per answered request, secrets left out (no query string, no header value), and one per
   * webhook delivery attempt (`webhook <type> -> <callback URL without query>: <status or error> (…)`). The CLI
   * prints them; the library logs nothing by default. A callback that throws loses that line, never the process
   * (one process warning, `QONTO_SANDBOX_LOG_FAILED`, says so).
   */
  log?: (line: string) => void;
  /**
   * When a failed webhook delivery is tried again, in ms of the emulator clock after the previous attempt; one entry
   * per retry. `[60_000, 300_000, 1_800_000, 7_200_000, 21_600_000]` by default (an emulator choice: Qonto documents
   * none); `[]` for no retry. Tests usually keep the default and move `clock.advance(60_000)`.
   */
  webhookRetryDelaysMs?: number[];
}

/** A sample app the emulator's home page links to in demo mode. */
export interface SandboxDemoApp {
  /** What the link says after the URL, e.g. `example-next (Next.js + Auth.js)`. */
  name: string;
  /** Absolute `http:` or `https:` URL of the app. */
  url: string;
}

/** A rate-limit window: at most `requests` per `windowMs` milliseconds. */
export interface SandboxRateLimit {
  requests: number;
  windowMs: number;
}

/** The emulator's clock: real time from `startTime`, plus whatever `advance` added. */
export interface SandboxClock {
  now(): number;
  /** Moves the clock forward (tokens and codes expire by this clock). */
  advance(ms: number): void;
}

/** Options of {@link SandboxFaults.failNext}. */
export interface SandboxFailNextOptions {
  /** How many requests in a row get the failure (default 1). */
  count?: number;
  /** Sends `Retry-After: <seconds>` with each failure (Qonto documents no such header: only a fault sends one). */
  retryAfter?: number;
}

/** Options of {@link SandboxFaults.throttleUnauthorized}. */
export interface SandboxThrottleOptions {
  /** How many 401 answers a client address may get within `windowMs` before it is throttled (default 200). */
  after?: number;
  /** The sliding window, in ms of the emulator clock (default one hour). */
  windowMs?: number;
}

/** Faults a test can switch on at run time; each applies from the next request on, until {@link reset}. */
export interface SandboxFaults {
  /**
   * Delays every later answer by `ms` milliseconds of the emulator's clock, the OAuth pages included: a
   * `clock.advance` past it answers at once; a client that gives up, or `close()`, drops the waiting request.
   */
  latency(ms: number): void;
  /**
   * Answers the next `count` requests of `route` (`'GET /v2/organization'`, `'POST /oauth2/token'`: method and
   * exact path, no query string: one with `?` is refused) with `status` and an error body of the route's kind: RFC 6749
   * `{ error, error_description }` under `/oauth2/`, JSON:API `{ errors: [{ code, detail }], trace_id }` elsewhere.
   * Calls queue up: the earliest one with requests left answers first.
   */
  failNext(route: string, status: number, o?: SandboxFailNextOptions): void;
  /**
   * Qonto's extra throttling of clients that collect 401s (documented: more than 200 within an hour, no details):
   * from then on, a client address that got more than `after` 401 answers within `windowMs` gets 429 on the
   * Business API until the window has slid past enough of them. Off by default, as Qonto gives no numbers beyond
   * these; `reset()` switches it off.
   */
  throttleUnauthorized(o?: SandboxThrottleOptions): void;
  /** Switches how the staging gate answers, from the next request on. */
  gate(mode: GateMode): void;
  /** No latency, no pending failures, no 401 throttling, and the gate of the start options. */
  reset(): void;
}

/** A running emulator. */
export interface QontoSandbox {
  /** `http://host:port`, no trailing slash. */
  url: string;
  /** `sandboxEndpointsAt(url)`, with `requiresStagingToken` true in `sandbox` mode only. */
  endpoints: QontoEndpoints;
  stagingToken: string;
  clients: SandboxClient[];
  users: SandboxUser[];
  clock: SandboxClock;
  faults: SandboxFaults;
  /** Every request received, oldest first. */
  requests: SandboxRequest[] & { clear(): void };
  /** Registers one more client (or replaces the one with the same `clientId`). */
  addClient(client: SandboxClient): void;
  /**
   * Sends an event of `type` to the webhook subscriptions to it in the organization, as Qonto would when it happens;
   * resolves once each first attempt has ended, with their log entries.
   */
  emitWebhook(o: SandboxEmitWebhookOptions): Promise<SandboxWebhookDelivery[]>;
  /**
   * A member revokes an app's access, as on the emulator's `/connected-apps` page: the app's tokens for that member
   * and organization stop working at once (API 401, refresh `invalid_grant`; a user-flow token, 403 in that
   * organization only, until no organization is left), and a `v1/consent-revocations` event
   * goes to the app's subscriptions in the organization. Resolves once each first attempt has ended. Throws when
   * there is no such consent.
   */
  revokeConsent(o: SandboxRevokeConsentOptions): Promise<SandboxWebhookDelivery[]>;
  /** The last 1,000 webhook deliveries, oldest first, with their attempts; no secret in them. */
  webhookDeliveries(): SandboxWebhookDelivery[];
  /** Stops listening and drops open connections; calling it again returns the same promise. */
  close(): Promise<void>;
}
