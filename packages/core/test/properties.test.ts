import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readApiResponse } from '../src/api-response.js';
import {
  fromTokenResponse,
  isQontoError,
  MAX_EXPIRES_IN_SECONDS,
  parseAuthorizationCallback,
  QONTO_REFRESH_TOKEN_LIFETIME_MS,
  QontoOAuthError,
  qontoConfigFromEnv,
  REDACTED,
  redactSecrets,
  type TokenSet,
  toTokenResponse,
} from '../src/index.js';
import { parseTokenResponse } from '../src/token-response.js';

/** Fixed seed and bounded runs: the same cases on every machine, in a few seconds. */
const RUNS = { seed: 20261201, numRuns: 150 } as const;
const NOW = Date.UTC(2026, 5, 1);

/** Token-like secrets, as Qonto's are; never a piece of the redaction marker itself. */
const secret = fc
  .stringMatching(/^[A-Za-z0-9_~.+/=-]{8,40}$/)
  .filter((s) => !REDACTED.includes(s.toLowerCase()));

/** How a server may echo a secret. */
const ENCODINGS: ((s: string) => string)[] = [
  (s) => s,
  (s) => s.toUpperCase(),
  encodeURIComponent,
  (s) => [...new TextEncoder().encode(s)].map((b) => `%${b.toString(16)}`).join(''),
  (s) => new URLSearchParams({ s }).toString().slice(2),
  (s) => [...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
  (s) => [...s].map((c) => `&#x${c.charCodeAt(0).toString(16)};`).join(''),
  (s) => [...s].map((c) => `&#${c.charCodeAt(0)};`).join(''),
  (s) => Buffer.from(s).toString('base64').replace(/=+$/, ''),
  (s) => Buffer.from(s).toString('base64url'),
];
const encoding = fc.integer({ min: 0, max: ENCODINGS.length - 1 }).map((i) => ENCODINGS[i]!);

/** Any text around an echo, kept apart from it by spaces so it cannot change how the echo decodes. */
const text = fc.string({ maxLength: 40 });

function rendered(error: unknown): string {
  const e = error as Error;
  return [e.message, String(e.stack), JSON.stringify(e), inspect(e, { showHidden: true, depth: 6 })]
    .join('\n')
    .toLowerCase();
}

describe('redactSecrets (property)', () => {
  it('leaves no secret, in any encoding it was echoed in, in any case', () => {
    fc.assert(
      fc.property(secret, encoding, text, text, (s, encode, before, after) => {
        const echoed = encode(s);
        const out = redactSecrets(`${before} ${echoed} ${after}`, [s]).toLowerCase();
        expect(out).not.toContain(s.toLowerCase());
        expect(out).not.toContain(echoed.toLowerCase());
        expect(out).toContain(REDACTED);
      }),
      RUNS,
    );
  });
});

describe('the token response reader (property)', () => {
  const field = (s: string) =>
    fc.oneof(
      fc.constant(undefined),
      fc.constant(s),
      fc.anything(),
      fc.double(),
      fc.integer({ min: -10, max: MAX_EXPIRES_IN_SECONDS + 10 }),
    );
  const expiresIn = fc.oneof(
    fc.double(),
    fc.double({ min: 1, max: MAX_EXPIRES_IN_SECONDS, noNaN: true }),
    fc.integer({ min: -10, max: MAX_EXPIRES_IN_SECONDS + 10 }),
    fc.constantFrom(Number.POSITIVE_INFINITY, 1e308, 1e-300, 0.5, 3600.25, 0, -1, '3600'),
  );
  const body = (s: string) =>
    fc.oneof(
      // Nearly valid: only expires_in (and the status) decide.
      fc.record({ access_token: fc.constant(s), token_type: fc.constant('bearer'), expires_in: expiresIn }),
      fc.record(
        {
          access_token: field(s),
          expires_in: field(s),
          token_type: fc.constantFrom(undefined, 'bearer', 'Bearer', 'mac', 7),
          refresh_token: field(s),
          id_token: field(s),
          scope: field(s),
          error: field(s),
          error_description: field(s),
        },
        { requiredKeys: [] },
      ),
      fc.json(),
      fc.string(),
    );

  it('gives a TokenSet with a finite expiry ahead, or a Qonto error that names no secret', async () => {
    await fc.assert(
      fc.asyncProperty(
        secret,
        secret.chain((s) => fc.tuple(fc.constant(s), body(s))),
        fc.constantFrom(200, 201, 400, 401, 403, 500, 503),
        fc.constantFrom('application/json', 'text/html', 'text/plain', ''),
        async (clientSecret, [code, generated], status, contentType) => {
          const text = typeof generated === 'string' ? generated : JSON.stringify(generated);
          const headers = contentType === '' ? undefined : { 'content-type': contentType };
          const response = new Response(text, { status, headers });
          try {
            const tokens = await parseTokenResponse(response, {
              grant: 'authorization_code',
              secrets: [clientSecret, code],
              now: NOW,
              requestedScopes: ['openid'],
            });
            expect(status).toBeLessThan(300);
            expect(tokens.accessToken).not.toBe('');
            expect(Number.isFinite(tokens.expiresAt)).toBe(true);
            expect(tokens.expiresAt).toBeGreaterThan(NOW);
            expect(tokens.expiresAt).toBeLessThanOrEqual(NOW + MAX_EXPIRES_IN_SECONDS * 1000);
            expect(Number.isInteger((tokens.expiresAt - NOW) / 1000)).toBe(true);
          } catch (error) {
            expect(isQontoError(error), String(error)).toBe(true);
            expect(['oauth', 'unexpected_response']).toContain((error as { code: string }).code);
            const shown = rendered(error);
            expect(shown).not.toContain(clientSecret.toLowerCase());
            expect(shown).not.toContain(code.toLowerCase());
          }
        },
      ),
      RUNS,
    );
  });
});

describe('fromTokenResponse (property)', () => {
  const scope = fc.stringMatching(/^[\x21\x23-\x5b\x5d-\x7e]{1,20}$/);
  const tokenSet: fc.Arbitrary<TokenSet> = fc
    .record(
      {
        // What a bearer token can hold: printable ASCII, no spaces (anything else is refused, tested below).
        accessToken: fc.stringMatching(/^[\x21-\x7e]{1,40}$/),
        refreshToken: fc.string({ minLength: 1 }),
        idToken: fc.string({ minLength: 1 }),
        scopes: fc.array(scope, { maxLength: 6 }),
        seconds: fc.integer({ min: 0, max: MAX_EXPIRES_IN_SECONDS }),
      },
      { requiredKeys: ['accessToken', 'scopes', 'seconds'] },
    )
    .map(({ seconds, ...rest }) => ({
      ...rest,
      tokenType: 'bearer' as const,
      expiresAt: NOW + seconds * 1000,
      // The refresh token's 90 days start when it is received.
      ...(rest.refreshToken === undefined
        ? {}
        : { refreshTokenExpiresAt: NOW + QONTO_REFRESH_TOKEN_LIFETIME_MS }),
    }));

  it('is the inverse of toTokenResponse for every TokenSet', () => {
    fc.assert(
      fc.property(tokenSet, (tokens) => {
        expect(
          fromTokenResponse(
            toTokenResponse(tokens, () => NOW),
            () => NOW,
          ),
        ).toEqual(tokens);
      }),
      RUNS,
    );
  });

  it('turns anything else into a TokenSet with a finite expiresAt, or QontoUnexpectedResponseError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything(),
          fc.object(),
          fc.record({ access_token: fc.string(), expires_in: fc.double() }),
        ),
        (params) => {
          try {
            expect(Number.isFinite(fromTokenResponse(params as never, () => NOW).expiresAt)).toBe(true);
          } catch (error) {
            expect((error as { code?: string }).code, String(error)).toBe('unexpected_response');
          }
        },
      ),
      RUNS,
    );
  });
});

describe('parseAuthorizationCallback (property)', () => {
  const value = fc.oneof(fc.string({ maxLength: 12 }), fc.string({ maxLength: 9000 }));
  const query = fc.record(
    {
      code: value,
      state: fc.oneof(value, fc.constant('the-expected-state')),
      error: value,
      error_description: value.map((d) => `MARK${d}`),
      other: value,
    },
    { requiredKeys: [] },
  );

  it("believes a callback's error only with the expected state, and keeps it short", () => {
    fc.assert(
      fc.property(query, fc.constantFrom('the-expected-state', undefined, ''), (q, expectedState) => {
        const stateMatches = expectedState !== undefined && expectedState !== '' && q.state === expectedState;
        try {
          const result = parseAuthorizationCallback(q, { expectedState });
          expect(stateMatches).toBe(true);
          expect(result).toEqual({ code: q.code, state: expectedState });
        } catch (error) {
          expect(error).toBeInstanceOf(QontoOAuthError);
          const oauth = error as QontoOAuthError;
          if (!stateMatches) {
            expect(oauth.error).toBe('invalid_state');
            expect(oauth.message).not.toContain('MARK');
            expect(oauth.errorDescription).toBeUndefined();
          }
          expect(oauth.error.length).toBeLessThanOrEqual(65);
          expect((oauth.errorDescription ?? '').length).toBeLessThanOrEqual(301);
          expect(oauth.message.length).toBeLessThan(800);
        }
      }),
      RUNS,
    );
  });
});

describe('the JSON:API reader (property)', () => {
  const errorObject = (s: string) =>
    fc.dictionary(
      fc.oneof(
        fc.constantFrom('code', 'detail', 'title', 'source'),
        fc.string({ maxLength: 8 }),
        fc.constant(s),
      ),
      fc.oneof(
        fc.string(),
        encoding.map((encode) => `see ${encode(s)} here`),
        fc.record({ parameter: fc.oneof(fc.string(), fc.constant(s)), pointer: fc.string() }),
        fc.anything(),
      ),
      { maxKeys: 6 },
    );

  it('gives the parsed JSON of a 2xx, or a Qonto error that names no secret', async () => {
    await fc.assert(
      fc.asyncProperty(
        secret.chain((s) =>
          fc.tuple(
            fc.constant(s),
            fc.oneof(
              fc.record({ errors: fc.array(errorObject(s), { maxLength: 4 }) }),
              fc.json().map(JSON.parse),
            ),
          ),
        ),
        fc.constantFrom(200, 204, 400, 401, 403, 404, 422, 429, 500),
        async ([accessToken, body], status) => {
          const text = status === 204 ? null : JSON.stringify(body);
          const response = new Response(text, { status, headers: { 'content-type': 'application/json' } });
          try {
            const parsed = await readApiResponse(response, 'GET /v2/x', [accessToken, undefined]);
            expect(status).toBeLessThan(300);
            expect(parsed).toEqual(text === null ? undefined : JSON.parse(text));
          } catch (error) {
            expect(status).toBeGreaterThanOrEqual(400);
            expect(['api', 'rate_limited']).toContain((error as { code?: string }).code);
            expect(rendered(error)).not.toContain(accessToken.toLowerCase());
          }
        },
      ),
      RUNS,
    );
  });
});

describe('qontoConfigFromEnv (property)', () => {
  const names = [
    'QONTO_ENV',
    'QONTO_CLIENT_ID',
    'QONTO_CLIENT_SECRET',
    'QONTO_REDIRECT_URI',
    'QONTO_STAGING_TOKEN',
    'QONTO_SCOPES',
    'QONTO_SANDBOX_URL',
    'QONTO_ALLOW_INSECURE_HTTP',
  ];
  const envValue = fc.oneof(
    fc.string(),
    fc.constantFrom('sandbox', 'production', 'http://127.0.0.1:4010', 'http://emulator:4010', ',', 'true'),
    fc.anything(),
  );

  it('returns a usable config or throws one QontoConfigError, never printing the secret or the staging token', () => {
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom(...names), envValue),
        secret,
        secret,
        (env, clientSecret, stagingToken) => {
          const full = { ...env, QONTO_CLIENT_SECRET: clientSecret, QONTO_STAGING_TOKEN: stagingToken };
          try {
            const config = qontoConfigFromEnv(full as never);
            expect(config.scopes.length).toBeGreaterThan(0);
            expect(config.clientSecret).toBe(clientSecret);
          } catch (error) {
            expect((error as { code?: string }).code, String(error)).toBe('config');
            expect((error as Error).message).not.toContain(clientSecret);
            expect((error as Error).message).not.toContain(stagingToken);
          }
        },
      ),
      RUNS,
    );
  });
});
