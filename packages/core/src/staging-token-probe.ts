/**
 * Whether Qonto's sandbox accepts a staging token, asked before a sign-in sends the member to Qonto: without it, a
 * wrong token shows only at the callback, after the member went through Qonto's login, SMS code and consent.
 */
import { type QontoEnvironment, resolveEndpoints } from './environments.js';
import { isQontoError, QontoStagingGateError } from './errors.js';
import { createQontoFetch, STAGING_TOKEN_HEADER } from './fetch.js';
import { SANDBOX_CREDENTIALS } from './messages.js';
import { base64url } from './pkce.js';

/** Options of {@link probeStagingToken}. */
export interface ProbeStagingTokenOptions {
  /** The transport under core's fetch wrapper (a proxy agent, a test double); the global `fetch` by default. */
  fetch?: typeof fetch | undefined;
  /** How long the probe waits for the token endpoint; 10 000 ms by default. A timeout proves nothing. */
  timeoutMs?: number | undefined;
  /**
   * Where the token came from, as the refusal names it, e.g. `"QontoStrategy's stagingToken option (often
   * QONTO_STAGING_TOKEN)"`; by default `stagingToken (QONTO_STAGING_TOKEN)`.
   */
  source?: string | undefined;
}

type ProbeCache = Map<string, Promise<QontoStagingGateError | undefined>>;

// Process-wide and shared by every copy of core (an ESM and a CommonJS build, two installed versions), so a
// process probes a staging token once however many adapters ask.
const PROBES = Symbol.for('@qonto-oauth/core.staging-token-probes');

function probeCache(): ProbeCache {
  const scope = globalThis as { [PROBES]?: ProbeCache };
  scope[PROBES] ??= new Map();
  return scope[PROBES];
}

/**
 * Whether the sandbox lets `stagingToken` through: one `POST` to the token endpoint with no credentials,
 * remembered for the life of the process by token endpoint and the token's SHA-256 (never the token itself), and
 * shared by concurrent callers. Qonto throttles a client after 200 refused requests in an hour: call it when a
 * sign-in starts, never per request.
 *
 * - Resolves a `QontoStagingGateError` when the sandbox answered with its sign-in gate (a 3xx, or an HTML page
 *   below 500): the token is wrong, revoked or another app's. Its message names `source` and the fix, and says the
 *   sign-in stopped before the redirect. Remembered: the answer will not change until the process restarts with
 *   another token.
 * - Resolves `undefined` when Qonto answered below 500 without the gate (its JSON refusal of the empty request):
 *   the token passed. Remembered.
 * - Resolves `undefined`, and remembers nothing, for a 5xx, a network failure or a timeout: they prove nothing, so
 *   the sign-in goes on (the code exchange reports what happens then) and the next call probes again.
 *
 * Rejects with `QontoConfigError` when the environment does not take a staging token (production, a custom
 * endpoint table without `requiresStagingToken`): call it only when `resolveEndpoints(environment)
 * .requiresStagingToken`.
 *
 * @see https://docs.qonto.com/get-started/general/sandbox-access
 */
export async function probeStagingToken(
  environment: QontoEnvironment,
  stagingToken: string,
  o: ProbeStagingTokenOptions = {},
): Promise<QontoStagingGateError | undefined> {
  const endpoints = resolveEndpoints(environment);
  // Built before the cache lookup: an environment that takes no staging token throws here, every time.
  const qontoFetch = createQontoFetch({
    environment: endpoints,
    stagingToken,
    timeoutMs: o.timeoutMs ?? 10_000,
    retry: false,
    ...(o.fetch === undefined ? {} : { fetch: o.fetch }),
  });
  const key = `${endpoints.tokenUrl} ${await sha256(stagingToken)}`;
  // No await between the lookup and the set: concurrent callers share one probe.
  const cache = probeCache();
  let probe = cache.get(key);
  if (probe === undefined) {
    const answer = gateAnswerOf(qontoFetch, endpoints.tokenUrl);
    probe = answer.then((a) => a.gate);
    cache.set(key, probe);
    void answer.then((a) => {
      if (!a.conclusive && cache.get(key) === probe) cache.delete(key);
    });
  }
  const gate = await probe;
  return gate && refusal(gate, o.source ?? 'stagingToken (QONTO_STAGING_TOKEN)');
}

/** The gate's answer to the probe, told as a sign-in that cannot start: where the token came from and the fix. */
function refusal(gate: QontoStagingGateError, source: string): QontoStagingGateError {
  const { status, locationHost } = gate;
  return new QontoStagingGateError(
    `The Qonto sandbox did not accept the ${STAGING_TOKEN_HEADER} from ${source}: its token endpoint answered with ` +
      `the sign-in gate (HTTP ${status}${locationHost === undefined ? '' : ` to ${locationHost}`}) instead of ` +
      `JSON. Fix: set it to this app's staging token (${SANDBOX_CREDENTIALS.replace(/^the /, '')}) and restart ` +
      'the server (the token is checked once per process). Sign-in stopped before the redirect to Qonto.',
    { status, locationHost },
  );
}

async function gateAnswerOf(
  qontoFetch: typeof fetch,
  tokenUrl: string,
): Promise<{ gate: QontoStagingGateError | undefined; conclusive: boolean }> {
  try {
    const response = await qontoFetch(tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: 'grant_type=authorization_code',
    });
    await response.body?.cancel();
    return { gate: undefined, conclusive: response.status < 500 };
  } catch (error) {
    return isQontoError(error) && error.code === 'staging_gate'
      ? { gate: error as QontoStagingGateError, conclusive: true }
      : { gate: undefined, conclusive: false };
  }
}

/** The cache key of a staging token: its SHA-256, so the process-wide cache never holds the token itself. */
async function sha256(value: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value))));
}
