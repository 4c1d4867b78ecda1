import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  QontoApiClient,
  QontoConfigError,
  QontoOAuthClient,
  QontoOAuthError,
  QontoStagingGateError,
  QontoUnexpectedResponseError,
  REDACTED,
  SecretCollector,
  sandboxEndpointsAt,
} from '../src/index.js';
import { type Loopback, sendHtml, sendJson, startLoopback } from './helpers/loopback.js';

// Characters that every encoding changes: space, +, /, &, =, ", <, and a non-ASCII letter.
const SECRETS = {
  clientSecret: 'cs "sec/ret"+&=<é> 42',
  stagingToken: 'stg_TOKEN-abcdef123456',
  code: 'ory_ac_code/with+plus',
  codeVerifier: 'verifier_ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789',
  refreshToken: 'ory_rt_refresh token&x',
  accessToken: 'ory_at_access+token',
};

/** The error `promise` rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<Error & { errorDescription?: string }> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: Error) => error,
  );
}

/** Everything a user might print an error with. */
function renderings(error: unknown): string[] {
  const e = error as Error;
  return [
    e.message,
    String(e.stack),
    String(e),
    JSON.stringify(e),
    inspect(e, { showHidden: true, depth: 10 }),
  ];
}

function expectNoSecret(error: unknown): void {
  expect(error).toBeInstanceOf(Error);
  for (const text of renderings(error)) {
    for (const [name, secret] of Object.entries(SECRETS)) {
      for (const form of [
        secret,
        encodeURIComponent(secret),
        new URLSearchParams({ s: secret }).toString().slice(2),
      ]) {
        expect(text.includes(form), `${name} leaked in:\n${text}`).toBe(false);
      }
    }
  }
}

/** Echoes the request's body and headers back, the way a careless server would. */
function echo(req: { url?: string }, recorded: { body: string; rawHeaders: Record<string, string> }): string {
  return `${req.url} ${recorded.body} ${JSON.stringify(recorded.rawHeaders)}`;
}

let server: Loopback;
beforeAll(async () => {
  server = await startLoopback();
});
afterAll(() => server.close());

function client(sandbox: boolean): QontoOAuthClient {
  const endpoints = sandboxEndpointsAt(server.url);
  return new QontoOAuthClient({
    environment: sandbox ? endpoints : { ...endpoints, requiresStagingToken: false },
    stagingToken: sandbox ? SECRETS.stagingToken : undefined,
    clientId: 'client-1',
    clientSecret: SECRETS.clientSecret,
    redirectUri: 'http://127.0.0.1/callback',
  });
}

const calls: [string, (c: QontoOAuthClient) => Promise<unknown>][] = [
  ['exchangeCode', (c) => c.exchangeCode({ code: SECRETS.code, codeVerifier: SECRETS.codeVerifier })],
  ['refresh', (c) => c.refresh(SECRETS.refreshToken)],
  ['revokeConsent', (c) => c.revokeConsent(SECRETS.accessToken)],
];

describe('no secret reaches an error', () => {
  for (const [name, call] of calls) {
    it(`${name}: an echoed body in error_description / JSON:API detail is scrubbed`, async () => {
      server.handle((req, res, recorded) => {
        const text = echo(req, recorded);
        sendJson(res, 400, { error: 'invalid_request', error_description: text, errors: [{ detail: text }] });
      });
      for (const sandbox of [true, false]) {
        const error = await rejection(call(client(sandbox)));
        expectNoSecret(error);
        expect(error.message).toContain(REDACTED);
      }
    });

    it(`${name}: an echoed body in an HTML page is scrubbed`, async () => {
      server.handle((req, res, recorded) => {
        const text = echo(req, recorded);
        sendHtml(res, 400, `<html><head><title>${text}</title></head><body>${text}</body></html>`);
      });
      const fromProduction = await rejection(call(client(false)));
      expect(fromProduction).toBeInstanceOf(QontoUnexpectedResponseError);
      expectNoSecret(fromProduction);
      const fromSandbox = await rejection(call(client(true)));
      expect(fromSandbox).toBeInstanceOf(QontoStagingGateError);
      expectNoSecret(fromSandbox);
    });
  }

  it('refuses an access token that cannot go in a header, never sending or showing it', async () => {
    let requests = 0;
    server.handle((_req, res) => {
      requests += 1;
      sendJson(res, 200, { organization: { id: 'org-1' } });
    });
    const production = { ...sandboxEndpointsAt(server.url), requiresStagingToken: false };
    for (const token of ['ory_at_SECRET\r\nX-Injected: 1', 'ory_at_SECRET\u20ac', 'ory_at SECRET']) {
      const fromApi = await rejection(
        new QontoApiClient({ environment: production, tokens: token }).get('/v2/organization'),
      );
      const fromRevoke = await rejection(client(false).revokeConsent(token));
      for (const error of [fromApi, fromRevoke]) {
        expect(error).toBeInstanceOf(QontoConfigError);
        for (const text of renderings(error)) expect(text).not.toContain('SECRET');
      }
    }
    expect(requests).toBe(0);
    // Nor is one taken from a token endpoint: it would fail later, in a TypeError quoting it.
    server.handle((_req, res) =>
      sendJson(res, 200, { access_token: 'ory_at_SECRET\nX', token_type: 'bearer', expires_in: 3600 }),
    );
    const fromTokenEndpoint = await rejection(client(false).refresh(SECRETS.refreshToken));
    expect(fromTokenEndpoint).toBeInstanceOf(QontoUnexpectedResponseError);
    expect(fromTokenEndpoint.message).toMatch(/access_token holding characters a bearer token cannot/);
    for (const text of renderings(fromTokenEndpoint)) expect(text).not.toContain('SECRET');
  });

  it('keeps the client secret and staging token off the client object', () => {
    const c = client(true);
    const shown = `${inspect(c, { showHidden: true, depth: 10 })} ${JSON.stringify(c)}`;
    expect(shown).not.toContain(SECRETS.clientSecret);
    expect(shown).not.toContain(SECRETS.stagingToken);
  });

  it('an OAuth error keeps the scrubbed description, without request or response', async () => {
    server.handle((req, res, recorded) =>
      sendJson(res, 400, { error: 'invalid_grant', error_description: echo(req, recorded) }),
    );
    const error = await client(false)
      .refresh(SECRETS.refreshToken)
      .catch((e) => e);
    expect(error).toBeInstanceOf(QontoOAuthError);
    expect(error.errorDescription).toContain(REDACTED);
    expect(error.cause).toBeUndefined();
  });
});

describe('SecretCollector', () => {
  it('collects the secrets a client sent and scrubs them all', () => {
    const collector = new SecretCollector().add('first-secret', undefined, '').add('second-secret');
    expect(collector.values).toEqual(['first-secret', 'second-secret']);
    expect(collector.redact('first-secret and second-secret and extra-secret', 'extra-secret')).toBe(
      `${REDACTED} and ${REDACTED} and ${REDACTED}`,
    );
  });
});
