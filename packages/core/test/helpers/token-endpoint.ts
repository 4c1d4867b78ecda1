import { afterAll, beforeAll, beforeEach } from 'vitest';
import { QontoOAuthClient, sandboxEndpointsAt, type TokenSet } from '../../src/index.js';
import { type Loopback, type RecordedRequest, sendJson, startLoopback } from './loopback.js';

export const STAGING = 'staging-token-for-tests';

/** A loopback token endpoint that rotates on every refresh: `at-1`/`rt-1`, then `at-2`/`rt-2`, … */
export interface RotatingTokenEndpoint {
  lb: Loopback;
  tokenRequests(): RecordedRequest[];
  /** Forgets the requests and restarts the numbering at 1. */
  reset(): void;
}

/** Starts it; `override()` may return another answer (an error) for the next request. */
export async function startRotatingTokenEndpoint(
  override: () => { status: number; body: unknown } | undefined,
): Promise<RotatingTokenEndpoint> {
  let issued = 0;
  const lb = await startLoopback((_req, res, recorded) => {
    const answer = override();
    if (answer !== undefined) return sendJson(res, answer.status, answer.body);
    if (new URLSearchParams(recorded.body).get('grant_type') !== 'refresh_token')
      return sendJson(res, 400, { error: 'unsupported_grant_type' });
    issued += 1;
    sendJson(res, 200, {
      access_token: `at-${issued}`,
      refresh_token: `rt-${issued}`,
      expires_in: 3600,
      token_type: 'bearer',
      scope: 'offline_access organization.read',
    });
  });
  return {
    lb,
    tokenRequests: () => lb.requests.filter((r) => r.method === 'POST' && r.url === '/oauth2/token'),
    reset() {
      lb.requests.length = 0;
      issued = 0;
    },
  };
}

/**
 * A new sandbox client of the endpoint. Rotations are shared and remembered for 60 s process-wide by token endpoint,
 * client id and refresh token: give each test a client id of its own, so its fixed refresh tokens never meet an
 * earlier test's rotation.
 */
export function refreshingClient(endpoint: RotatingTokenEndpoint, clientId: string, now: () => number) {
  return new QontoOAuthClient({
    environment: sandboxEndpointsAt(endpoint.lb.url),
    clientId,
    clientSecret: 'client-secret-value',
    redirectUri: 'http://127.0.0.1/callback',
    stagingToken: STAGING,
    now,
  });
}

/** A set whose access token expired a second before `clock`, with the refresh token `rt-old`. */
export function expiredTokensAt(clock: number): TokenSet {
  return {
    accessToken: 'at-old',
    tokenType: 'bearer',
    refreshToken: 'rt-old',
    scopes: ['offline_access', 'organization.read'],
    expiresAt: clock - 1000,
  };
}

/** A test file's token endpoint, clock and answers, reset before each test. */
export interface TokenEndpointFixture {
  /** The injected clock, back at `start` before each test. */
  clock: number;
  /** What the endpoint answers next instead of a rotated set (an error); cleared before each test. */
  nextAnswer: { status: number; body: unknown } | undefined;
  now: () => number;
  tokenRequests: () => RecordedRequest[];
  /** A new client instance, with this test's own client id unless another is given. */
  makeClient: (o?: { clientId?: string }) => QontoOAuthClient;
  /** {@link expiredTokensAt} the current clock. */
  expiredTokens: () => TokenSet;
}

/** Starts a {@link RotatingTokenEndpoint} for the file and resets the fixture before each test. */
export function useRotatingTokenEndpoint(start: number): TokenEndpointFixture {
  let endpoint: RotatingTokenEndpoint | undefined;
  let tests = 0;
  const started = () => {
    if (endpoint === undefined) throw new Error('the token endpoint starts in beforeAll');
    return endpoint;
  };
  const fixture: TokenEndpointFixture = {
    clock: start,
    nextAnswer: undefined,
    now: () => fixture.clock,
    tokenRequests: () => started().tokenRequests(),
    makeClient: (o = {}) => refreshingClient(started(), o.clientId ?? `client-id-${tests}`, fixture.now),
    expiredTokens: () => expiredTokensAt(fixture.clock),
  };
  beforeAll(async () => {
    endpoint = await startRotatingTokenEndpoint(() => fixture.nextAnswer);
  });
  afterAll(() => endpoint?.lb.close());
  beforeEach(() => {
    started().reset();
    fixture.clock = start;
    fixture.nextAnswer = undefined;
    tests += 1;
  });
  return fixture;
}
