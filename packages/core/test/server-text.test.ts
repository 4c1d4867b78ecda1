import type { ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  QontoApiClient,
  QontoOAuthClient,
  REDACTED,
  redactSecrets,
  sandboxEndpointsAt,
} from '../src/index.js';
import {
  type Loopback,
  type RecordedRequest,
  sendHtml,
  sendJson,
  startLoopback,
} from './helpers/loopback.js';

// Token-like values, as Qonto's are, so that each can also stand in a host name.
const SECRETS = {
  clientSecret: 'cs-Secret_Value-9f8e7d6c',
  stagingToken: 'stg-Staging_Token-1a2b3c',
  code: 'ory_ac_Code-4567_abcdef',
  codeVerifier: 'Verifier-ABCdef0123456789_xyz',
  refreshToken: 'ory_rt_Refresh-890_ghijkl',
  accessToken: 'ory_at_Access-321_mnopqr',
};
type SecretName = keyof typeof SECRETS;

const bytes = (s: string) => [...new TextEncoder().encode(s)];
const hex = (n: number) => n.toString(16).padStart(2, '0');

/**
 * How a careless server may echo a secret: each encoding, and what of it must not come back (for base64, the
 * characters made of the secret's bits alone, since it sits inside a longer base64 string).
 */
const ENCODINGS: Record<string, { encode: (s: string) => string; leak?: (encoded: string) => string }> = {
  raw: { encode: (s) => s },
  'upper case': { encode: (s) => s.toUpperCase() },
  'lower case': { encode: (s) => s.toLowerCase() },
  'percent, upper hex': {
    encode: (s) =>
      bytes(s)
        .map((b) => `%${hex(b).toUpperCase()}`)
        .join(''),
  },
  'percent, lower hex': {
    encode: (s) =>
      bytes(s)
        .map((b) => `%${hex(b)}`)
        .join(''),
  },
  'form-encoded': { encode: (s) => new URLSearchParams({ s }).toString().slice(2) },
  'JSON \\u escapes': {
    encode: (s) => [...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join(''),
  },
  'HTML entities, hex': { encode: (s) => [...s].map((c) => `&#x${c.charCodeAt(0).toString(16)};`).join('') },
  'HTML entities, upper hex': {
    encode: (s) => [...s].map((c) => `&#X${c.charCodeAt(0).toString(16).toUpperCase()};`).join(''),
  },
  'HTML entities, decimal': { encode: (s) => [...s].map((c) => `&#${c.charCodeAt(0)};`).join('') },
  'HTML entities, mixed with raw': {
    encode: (s) => [...s].map((c, i) => (i % 2 ? `&#${c.charCodeAt(0)};` : c)).join(''),
  },
  base64: {
    encode: (s) => Buffer.from(`client:${s}`).toString('base64'),
    leak: (e) => e.slice(12, -4),
  },
  'base64url, another alignment': {
    encode: (s) => Buffer.from(`xy${s}z`).toString('base64url'),
    leak: (e) => e.slice(4, -4),
  },
};

/** Everything a user might print an error with, its cause included. */
function renderings(error: unknown): string[] {
  const e = error as Error;
  return [
    e.message,
    String(e.stack),
    String(e),
    JSON.stringify(e),
    inspect(e, { showHidden: true, depth: 10 }),
    inspect(e.cause, { showHidden: true, depth: 10 }),
  ];
}

function expectNothingOf(error: unknown, sent: string, echoed: string): void {
  expect(error).toBeInstanceOf(Error);
  for (const text of renderings(error).map((t) => t.toLowerCase())) {
    expect(text.includes(sent.toLowerCase()), `the secret leaked in:\n${text}`).toBe(false);
    expect(text.includes(echoed.toLowerCase()), `its echo leaked in:\n${text}`).toBe(false);
  }
}

/** What a server answers, given the echo of one secret; `host` places it where a host name can carry it. */
type Answer = (res: ServerResponse, echo: string) => void;

/** Every place where server-derived text could reach an error, for any endpoint. */
const ANYWHERE: Record<string, Answer> = {
  "a redirect's Location host": (res, echo) =>
    res.writeHead(302, { location: `https://${echo}.evil.example/sign-in` }).end(),
  "a redirect's Location path and query": (res, echo) =>
    res.writeHead(302, { location: `https://evil.example/${echo}?next=${echo}` }).end(),
  'a relative Location': (res, echo) => res.writeHead(307, { location: `/${echo}` }).end(),
  // Not 2xx: revokeConsent takes any 2xx as success, whatever its body.
  'the Content-Type': (res, echo) => res.writeHead(403, { 'content-type': `text/${echo}` }).end('a body'),
  'a Content-Type parameter': (res, echo) =>
    res.writeHead(403, { 'content-type': `text/plain; charset=${echo}` }).end('a body'),
  'an HTML title and body': (res, echo) =>
    sendHtml(res, 400, `<html><head><title>Hello ${echo}</title></head><body>${echo}</body></html>`),
  'a plain-text body': (res, echo) => res.writeHead(502, { 'content-type': 'text/plain' }).end(echo),
  'invalid JSON': (res, echo) => res.writeHead(400, { 'content-type': 'application/json' }).end(`{"${echo}`),
};

const TOKEN_ENDPOINT: Record<string, Answer> = {
  ...ANYWHERE,
  'an OAuth error and error_description': (res, echo) =>
    sendJson(res, 400, { error: `invalid_${echo}`, error_description: `We got ${echo} from you` }),
};

const API: Record<string, Answer> = {
  ...ANYWHERE,
  'JSON:API detail, code, title, source and keys': (res, echo) =>
    sendJson(res, 422, {
      errors: [
        {
          code: echo,
          detail: `bad ${echo}`,
          title: echo,
          source: { parameter: echo, pointer: `/data/${echo}` },
          [echo]: { nested: [echo] },
        },
      ],
    }),
  'a 429 with a JSON:API detail': (res, echo) =>
    sendJson(res, 429, { errors: [{ detail: echo }] }, { 'retry-after': '0' }),
};

const PAGINATION: Record<string, Answer> = {
  "a page's key names": (res, echo) => sendJson(res, 200, { [echo]: [], [`${echo}_2`]: {}, meta: {} }),
  "a page's meta.next_page": (res, echo) =>
    sendJson(res, 200, { transactions: [], meta: { next_page: echo } }),
};

let server: Loopback;
let answer: (res: ServerResponse, recorded: RecordedRequest) => void = (res) => sendJson(res, 200, {});
beforeAll(async () => {
  server = await startLoopback((_req, res, recorded) => answer(res, recorded));
});
afterAll(() => server.close());

/** Custom endpoints at the loopback server: the sandbox's rules (staging token, gate) or production's. */
function environment(sandbox: boolean) {
  const endpoints = sandboxEndpointsAt(server.url);
  return sandbox ? endpoints : { ...endpoints, requiresStagingToken: false };
}

function oauthClient(sandbox: boolean): QontoOAuthClient {
  return new QontoOAuthClient({
    environment: environment(sandbox),
    stagingToken: sandbox ? SECRETS.stagingToken : undefined,
    clientId: 'client-1',
    clientSecret: SECRETS.clientSecret,
    redirectUri: 'http://127.0.0.1/callback',
  });
}

function apiClient(sandbox: boolean): QontoApiClient {
  return new QontoApiClient({
    environment: environment(sandbox),
    stagingToken: sandbox ? SECRETS.stagingToken : undefined,
    tokens: SECRETS.accessToken,
    retry: false,
  });
}

/** Each call, and the secrets it sends (so the server can echo them). */
const TOKEN_CALLS: [string, SecretName[], (sandbox: boolean) => Promise<unknown>][] = [
  [
    'exchangeCode',
    ['clientSecret', 'code', 'codeVerifier', 'stagingToken'],
    (sandbox) =>
      oauthClient(sandbox).exchangeCode({ code: SECRETS.code, codeVerifier: SECRETS.codeVerifier }),
  ],
  [
    'refresh',
    ['clientSecret', 'refreshToken', 'stagingToken'],
    (sandbox) => oauthClient(sandbox).refresh(SECRETS.refreshToken),
  ],
];

const API_CALLS: [string, SecretName[], (sandbox: boolean) => Promise<unknown>][] = [
  [
    'QontoApiClient.get',
    ['accessToken', 'stagingToken'],
    (sandbox) => apiClient(sandbox).get('/v2/organization'),
  ],
  [
    'revokeConsent',
    ['accessToken', 'stagingToken'],
    (sandbox) => oauthClient(sandbox).revokeConsent(SECRETS.accessToken),
  ],
];

const PAGINATE_CALL: [string, SecretName[], (sandbox: boolean) => Promise<unknown>] = [
  'paginate',
  ['accessToken', 'stagingToken'],
  async (sandbox) => {
    for await (const _ of apiClient(sandbox).paginate('/v2/transactions', { itemsKey: 'transactions' })) {
      // Only the error matters.
    }
  },
];

/** Runs `call` with the server echoing each secret it was sent, in `encoding`, at `place`; checks every error. */
async function attack(
  call: (sandbox: boolean) => Promise<unknown>,
  sent: SecretName[],
  place: Answer,
  encoding: (typeof ENCODINGS)[string],
): Promise<number> {
  let errors = 0;
  for (const sandbox of [false, true]) {
    for (const name of sent) {
      if (name === 'stagingToken' && !sandbox) continue;
      const echoed = encoding.encode(SECRETS[name]);
      answer = (res) => place(res, echoed);
      const error = await call(sandbox).then(
        () => new Error('the call succeeded'),
        (e: unknown) => e,
      );
      expect((error as Error).message).not.toBe('the call succeeded');
      expectNothingOf(error, SECRETS[name], (encoding.leak ?? ((e) => e))(echoed));
      errors += 1;
    }
  }
  return errors;
}

describe('no server-derived text reaches an error unscrubbed', () => {
  for (const [callName, sent, call] of TOKEN_CALLS) {
    describe(callName, () => {
      it.each(Object.keys(TOKEN_ENDPOINT))('echoed in %s, in every encoding', async (place) => {
        for (const encoding of Object.values(ENCODINGS)) {
          expect(await attack(call, sent, TOKEN_ENDPOINT[place]!, encoding)).toBeGreaterThan(0);
        }
      });
    });
  }
  for (const [callName, sent, call] of API_CALLS) {
    describe(callName, () => {
      it.each(Object.keys(API))('echoed in %s, in every encoding', async (place) => {
        for (const encoding of Object.values(ENCODINGS)) {
          expect(await attack(call, sent, API[place]!, encoding)).toBeGreaterThan(0);
        }
      });
    });
  }
  describe('paginate', () => {
    it.each(Object.keys(PAGINATION))('echoed in %s, in every encoding', async (place) => {
      for (const encoding of Object.values(ENCODINGS)) {
        expect(
          await attack(PAGINATE_CALL[2], PAGINATE_CALL[1], PAGINATION[place]!, encoding),
        ).toBeGreaterThan(0);
      }
    });
  });
});

/** The error `promise` rejects with. */
function failure(promise: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: Error & Record<string, unknown>) => error,
  );
}

describe('what an error still says', () => {
  it("a sandbox gate: the status and the redirect's host, scrubbed, never its path", async () => {
    answer = (res) =>
      res
        .writeHead(302, {
          location: `https://${SECRETS.stagingToken}.onelogin.example/login/${SECRETS.code}`,
        })
        .end();
    const error = await failure(apiClient(true).get('/v2/organization'));
    expect(error).toMatchObject({
      code: 'staging_gate',
      status: 302,
      locationHost: `${REDACTED}.onelogin.example`,
    });
    expect(error.message).toContain(`302 redirecting to ${REDACTED}.onelogin.example`);
    expect(error.message).not.toContain('/login/');
  });

  it('an unexpected body: its media type and size, not a word of it', async () => {
    answer = (res) => res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('Hello proxy');
    const error = await failure(apiClient(false).get('/v2/organization'));
    expect(error.message).toContain('200 with a text/plain body (11 bytes)');
    expect(error.message).not.toContain('Hello');
  });

  it('a JSON:API error: its code, detail and parameter, scrubbed, on the message and in `errors`', async () => {
    answer = (res) =>
      sendJson(res, 422, {
        errors: [
          { code: 'invalid', detail: `token ${SECRETS.accessToken} refused`, source: { parameter: 'iban' } },
        ],
      });
    const error = await failure(apiClient(false).get('/v2/organization'));
    expect(error.message).toContain(`invalid: token ${REDACTED} refused (iban)`);
    expect(error.errors).toEqual([
      { code: 'invalid', detail: `token ${REDACTED} refused`, source: { parameter: 'iban' } },
    ]);
  });
});

describe('redactSecrets', () => {
  const secret = 'a b+c/d&e="f"<é>';
  it.each([
    ['raw', secret],
    ['URL-encoded', encodeURIComponent(secret)],
    [
      'URL-encoded, lower-case hex',
      encodeURIComponent(secret).replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase()),
    ],
    ['form-encoded', new URLSearchParams({ s: secret }).toString().slice(2)],
    ['JSON-escaped', JSON.stringify(secret).slice(1, -1)],
    ['JSON-escaped, ASCII only', JSON.stringify(secret).slice(1, -1).replace('é', '\\u00e9')],
    [
      'HTML-escaped',
      secret.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
    ],
    ['HTML numeric entities', [...secret].map((c) => `&#x${c.codePointAt(0)!.toString(16)};`).join('')],
    ['upper case', secret.toUpperCase()],
    ['HTML-escaped URL-encoding', encodeURIComponent(secret).replace(/%/g, '&#37;')],
  ])('scrubs the %s form', (_name, form) => {
    expect(redactSecrets(`before ${form} after`, [secret])).toBe(`before ${REDACTED} after`);
  });

  it('scrubs the base64 of a secret wherever it sits in a longer base64 string', () => {
    for (const prefix of ['', 'a', 'ab', 'abc:']) {
      for (const encoding of ['base64', 'base64url'] as const) {
        const encoded = Buffer.from(`${prefix}${secret}!`).toString(encoding);
        const scrubbed = redactSecrets(encoded, [secret]);
        expect(scrubbed).toContain(REDACTED);
        expect(Buffer.from(scrubbed, encoding).toString()).not.toContain('c/d&e');
      }
    }
  });

  it('leaves text without a secret alone, and ignores values too short to tell from words', () => {
    expect(redactSecrets('nothing to see &amp; %41 here', ['a-secret-value', 'abc', undefined])).toBe(
      'nothing to see &amp; %41 here',
    );
  });
});
