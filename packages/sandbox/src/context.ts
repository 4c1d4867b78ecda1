import type { ClockWaits } from './clock-waits.js';
import type { ExpiringMap } from './expiring-map.js';
import type { FaultState } from './faults.js';
import type { LogCallback } from './log-callback.js';
import type { GrantStore } from './oauth/grants.js';
import type { IdTokenSigner } from './oauth/id-token.js';
import type { RateLimitLog } from './rate-limit.js';
import type { SeedAttachment, SeedData } from './seed/index.js';
import type { Prng } from './seed/prng.js';
import type {
  GateMode,
  SandboxClient,
  SandboxClock,
  SandboxDemoApp,
  SandboxRateLimit,
  SandboxRequest,
} from './types.js';
import type { Webhooks } from './webhooks/events.js';

/** One browser's way through the authorize pages, keyed by its `login_challenge`. */
export interface AuthorizationFlow {
  challenge: string;
  /** Also stored in the browser's CSRF cookie; a browser without it is refused (Qonto's `request_forbidden`). */
  csrf: string;
  clientId: string;
  redirectUri: string;
  scopes: string[];
  state: string;
  nonce?: string;
  codeChallenge?: string;
  organizationId?: string;
  registrationId?: string;
  requestedAt: number;
  /** `identity_type=user`: the user OAuth flow, whose consent covers every organization of the user. */
  userFlow?: boolean;
  stage: 'login' | 'sms' | 'organization' | 'consent';
  userId?: string;
  authTime?: number;
  chosenOrganizationId?: string;
}

/** Everything the emulator's routes share. */
export interface SandboxContext {
  mode: 'sandbox' | 'production';
  demo: boolean;
  /** The sample apps the demo-mode home page links to. */
  demoApps: readonly SandboxDemoApp[];
  /** Set once the server listens. */
  url: string;
  /** Appended to cookie names so two emulators on one host (ports differ, cookies do not) keep apart. */
  cookieSuffix: string;
  stagingToken: string;
  clients: SandboxClient[];
  gate: GateMode;
  data: SeedData;
  store: GrantStore;
  signer: IdTokenSigner;
  clock: SandboxClock;
  requests: SandboxRequest[];
  /** Unfinished authorize flows by `login_challenge`. */
  flows: ExpiringMap<string, AuthorizationFlow>;
  /** Browsers logged in to the emulated sandbox web app, by session cookie value. */
  webAppSessions: ExpiringMap<string, true>;
  /** The `log` option, guarded: a callback that throws loses its line, never the process. */
  log: LogCallback | undefined;
  faults: FaultState;
  /** The requests `faults.latency` holds: moving the clock or closing the emulator ends them. */
  latencyWaits: ClockWaits;
  /** One trace id per request, drawn from the seed, so the same seed and requests give the same ids. */
  traceIds: Prng;
  /** Ids of uploaded attachments, drawn from the seed. */
  uploadIds: Prng;
  /** Signs the temporary file URLs; derived from the seed, so one seed signs one way. */
  fileSigningKey: string;
  /** Attachments uploaded through the API, kept in memory. */
  uploads: SeedAttachment[];
  /** Successful answers of requests with an `X-Qonto-Idempotency-Key`, by organization and key. */
  idempotency: Map<string, { expiresAt: number; status: number; body: unknown }>;
  /** Business API rate-limit windows; empty for none. */
  rateLimits: SandboxRateLimit[];
  rateLimitLog: RateLimitLog;
  /** Webhook subscriptions and their deliveries. */
  webhooks: Webhooks;
}

/** The registered client with this id. */
export function findClient(ctx: SandboxContext, clientId: unknown): SandboxClient | undefined {
  return typeof clientId === 'string' ? ctx.clients.find((c) => c.clientId === clientId) : undefined;
}
