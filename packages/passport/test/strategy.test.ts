import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { DEFAULT_QONTO_SCOPES, isQontoError, QontoConfigError, sandboxEndpointsAt } from '@qonto-oauth/core';
import { afterEach, describe, expect, it } from 'vitest';
import { type QontoStateStore, QontoStrategy, type QontoStrategyOptions } from '../src/index.js';
import { PassportHarness } from './helpers/harness.js';

const STAGING_TOKEN = 'staging-token-that-must-not-leak';
const CLIENT_SECRET = 'client-secret-that-must-not-leak';
const endpoints = sandboxEndpointsAt('http://127.0.0.1:9');
const verify = (_a: string, _r: string | undefined, _p: unknown, done: (e: unknown, u?: object) => void) =>
  done(null, {});

function options(overrides: Partial<QontoStrategyOptions> = {}): QontoStrategyOptions {
  return {
    clientID: 'client-id',
    clientSecret: CLIENT_SECRET,
    callbackURL: 'http://127.0.0.1:3001/auth/qonto/callback',
    environment: endpoints,
    stagingToken: STAGING_TOKEN,
    ...overrides,
  };
}

function constructionError(make: () => unknown): Error {
  try {
    make();
  } catch (error) {
    return error as Error;
  }
  throw new Error('the constructor did not throw');
}

describe('QontoStrategy construction', () => {
  it("is named 'qonto', and the name can be overridden", () => {
    expect(new QontoStrategy(options(), verify).name).toBe('qonto');
    expect(new QontoStrategy(options({ name: 'qonto-sandbox' }), verify).name).toBe('qonto-sandbox');
  });

  it("throws core's QontoConfigError at once for the sandbox without a staging token, naming it", () => {
    const error = constructionError(
      () => new QontoStrategy(options({ environment: 'sandbox', stagingToken: undefined }), verify),
    );
    expect(error).toBeInstanceOf(QontoConfigError);
    expect(isQontoError(error)).toBe(true);
    expect(error.message).toMatch(/staging ?token/i);
  });

  it('throws QontoConfigError for a staging token given with production', () => {
    const error = constructionError(() => new QontoStrategy(options({ environment: 'production' }), verify));
    expect(error).toBeInstanceOf(QontoConfigError);
    expect(error.message).not.toContain(STAGING_TOKEN);
  });

  // Named as the user spelled it (clientID, not core's clientId), with what to check when it came from process.env.
  it.each([
    [
      'clientID (unset variable)',
      { clientID: undefined },
      /needs clientID: .*It got undefined: .*environment variable/,
    ],
    ['clientID (empty)', { clientID: '' }, /needs clientID: .*It got an empty string/],
    ['clientSecret (unset variable)', { clientSecret: undefined }, /needs clientSecret: .*It got undefined/],
    ['clientSecret (empty)', { clientSecret: '' }, /needs clientSecret: .*It got an empty string/],
    ['callbackURL (unset variable)', { callbackURL: undefined }, /needs callbackURL: .*It got undefined/],
    ['callbackURL (relative)', { callbackURL: '/auth/qonto/callback' }, /callbackURL.*absolute/],
    ['environment', { environment: undefined as never }, /environment/],
  ])('throws QontoConfigError naming %s', (_name, overrides, message) => {
    const error = constructionError(() => new QontoStrategy(options(overrides), verify));
    expect(error).toBeInstanceOf(QontoConfigError);
    expect(error.message).toMatch(message);
  });

  it('throws QontoConfigError for state: false without a store, with or without PKCE: Qonto requires a state', () => {
    for (const pkce of [true, false]) {
      const error = constructionError(() => new QontoStrategy(options({ state: false, pkce }), verify));
      expect(error).toBeInstanceOf(QontoConfigError);
      expect(error.message).toMatch(/Qonto requires one.*keep `state` on \(the default\), or give a `store`/);
    }
  });

  it('throws QontoConfigError without a verify callback', () => {
    const error = constructionError(() => new QontoStrategy(options(), undefined as never));
    expect(error).toBeInstanceOf(QontoConfigError);
    expect(error.message).toMatch(/verify/);
  });

  it('keeps the staging token and the client secret off every enumerable property and out of inspect/JSON', () => {
    const strategy = new QontoStrategy(options(), verify);
    const shown = [
      JSON.stringify(strategy),
      inspect(strategy, { depth: 10 }),
      inspect(strategy, { depth: 10, showHidden: true }),
      JSON.stringify(Object.keys(strategy)),
    ].join('\n');
    expect(shown).not.toContain(STAGING_TOKEN);
    expect(shown).not.toContain(CLIENT_SECRET);
    for (const key of Object.keys(strategy)) {
      expect(
        JSON.stringify(inspect((strategy as unknown as Record<string, unknown>)[key], { depth: 10 })),
      ).not.toContain(STAGING_TOKEN);
    }
  });
});

describe('QontoStrategy authorization redirect', () => {
  const harness = new PassportHarness();
  afterEach(() => harness.close());

  async function redirectFor(
    overrides: Partial<QontoStrategyOptions>,
    authenticateOptions = {},
  ): Promise<URL> {
    const callbackURL = await harness.listen();
    harness.mount(new QontoStrategy(options({ callbackURL, ...overrides }), verify), authenticateOptions);
    return new URL(await harness.authorizationUrl());
  }

  it("sends the browser to the environment's authorize URL with state, PKCE S256 and the default scopes", async () => {
    const url = await redirectFor({});
    expect(`${url.origin}${url.pathname}`).toBe(endpoints.authorizationUrl);
    const params = url.searchParams;
    expect(params.get('client_id')).toBe('client-id');
    expect(params.get('response_type')).toBe('code');
    expect(params.get('redirect_uri')).toBe(`${harness.origin}/callback`);
    expect(params.get('scope')).toBe(DEFAULT_QONTO_SCOPES.join(' '));
    expect(params.get('state')).toMatch(/^\S{16,}$/);
    expect(params.get('code_challenge_method')).toBe('S256');
    expect(params.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // Browser URLs cannot carry the header, and nothing secret belongs in them.
    expect(url.href).not.toContain(STAGING_TOKEN);
    expect(url.href).not.toContain(CLIENT_SECRET);
  });

  it('accepts scopes as a space- or comma-separated string', async () => {
    const url = await redirectFor({ scope: 'offline_access,organization.read' });
    expect(url.searchParams.get('scope')).toBe('offline_access organization.read');
  });

  it('maps organizationId, registrationId and identityType onto Qonto parameters', async () => {
    const url = await redirectFor(
      {},
      { organizationId: 'org-1', registrationId: 'reg-1', identityType: 'user' },
    );
    expect(url.searchParams.get('organization_id')).toBe('org-1');
    expect(url.searchParams.get('registration_id')).toBe('reg-1');
    expect(url.searchParams.get('identity_type')).toBe('user');
  });

  it('leaves PKCE out with pkce: false', async () => {
    const url = await redirectFor({ pkce: false });
    expect(url.searchParams.has('code_challenge')).toBe(false);
    expect(url.searchParams.get('state')).toBeTruthy();
  });
});

describe('QontoStrategy callback errors', () => {
  const harness = new PassportHarness();
  afterEach(() => harness.close());

  async function mounted(): Promise<void> {
    const callbackURL = await harness.listen();
    harness.mount(new QontoStrategy(options({ callbackURL }), verify));
  }

  /** Starts a sign-in, so the session holds a state (and a PKCE verifier), and returns that state. */
  async function startedState(): Promise<string> {
    return new URL(await harness.authorizationUrl()).searchParams.get('state')!;
  }

  it('fails (401, no error) when the user declined consent, so failureRedirect applies', async () => {
    await mounted();
    const state = await startedState();
    const outcome = await harness.callback(
      `/callback?error=access_denied&error_description=The+user+denied&state=${state}`,
    );
    expect(outcome.error).toBeNull();
    expect(outcome.user).toBe(false);
    expect(outcome.status).toBe(401);
    expect((outcome.info as { message: string }).message).toMatch(/access_denied.*declined/);
  });

  it("turns any other ?error= with its state into core's QontoOAuthError with its hint", async () => {
    await mounted();
    const state = await startedState();
    const outcome = await harness.callback(
      `/callback?error=invalid_scope&error_description=bad+scope&state=${state}`,
    );
    expect(isQontoError(outcome.error)).toBe(true);
    expect(outcome.error).toMatchObject({
      code: 'oauth',
      error: 'invalid_scope',
      errorDescription: 'bad scope',
    });
    expect((outcome.error as Error).message).toMatch(/redirect_uri/);
  });

  it.each([
    ['a forged state', (state: string) => `&state=${state}x`],
    ['no state', () => ''],
    ['a state no login started', () => '&state=never-issued'],
  ])(
    'reports an ?error= with %s as a generic 403 invalid_state, its description dropped',
    async (_what, suffix) => {
      await mounted();
      const state = await startedState();
      const outcome = await harness.callback(
        `/callback?error=access_denied&error_description=Call+0800+SCAM+now${suffix(state)}`,
      );
      expect(outcome.error).toBeNull();
      expect(outcome.status).toBe(403);
      const message = (outcome.info as { message: string }).message;
      expect(message).toMatch(/state/);
      expect(message).not.toMatch(/SCAM|access_denied|declined/);
    },
  );

  it("gives a store's own refusal message on an ?error= callback, as on a callback with a code", async () => {
    const callbackURL = await harness.listen();
    const message = 'The Qonto login cookie is missing: this callback was not started from this browser.';
    const store: QontoStateStore = {
      store: (_req, _verifier, _appState, _meta, callback) => callback(null, 'handle'),
      verify: (_req, _state, _meta, callback) => callback(null, false, { message }),
    };
    harness.mount(new QontoStrategy(options({ callbackURL, store }), verify));
    for (const query of ['error=access_denied&state=handle', 'code=ory_ac_x&state=handle']) {
      const outcome = await harness.callback(`/callback?${query}`);
      expect(outcome).toMatchObject({ error: null, status: 403, info: { message } });
    }
  });

  it('cuts a 7 kB error= and error_description short, and uses the state up', async () => {
    await mounted();
    const state = await startedState();
    const huge = 'x'.repeat(7000);
    const outcome = await harness.callback(
      `/callback?error=${huge}&error_description=${huge}%0D%0Aforged-log-line&state=${state}`,
    );
    expect(outcome.error).toMatchObject({ code: 'oauth' });
    const error = outcome.error as Error & { error: string; errorDescription: string };
    expect(error.message.length).toBeLessThan(1000);
    expect(error.error.length).toBeLessThanOrEqual(65);
    expect(error.errorDescription.length).toBeLessThanOrEqual(301);
    expect(error.message).not.toMatch(/[\r\n]/);
    // The state was checked through the session store, which forgets it: the same callback again is refused.
    const replay = await harness.callback(`/callback?error=access_denied&state=${state}`);
    expect(replay.status).toBe(403);
  });
});

describe('QontoStrategy token endpoint failures outside the emulator', () => {
  const harness = new PassportHarness();
  let server: Server | undefined;
  afterEach(async () => {
    await harness.close();
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  /** Starts a sign-in (so the session holds a state) and comes back with a code for that state. */
  async function callbackWithCode(environment: QontoStrategyOptions['environment']) {
    const callbackURL = await harness.listen();
    harness.mount(new QontoStrategy(options({ callbackURL, environment, stagingToken: undefined }), verify));
    const state = new URL(await harness.authorizationUrl()).searchParams.get('state')!;
    return harness.callback(`/callback?code=a-code&state=${state}`);
  }

  it("an HTML page from the token endpoint gives core's QontoUnexpectedResponseError", async () => {
    server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<html><title>Corporate proxy</title></html>');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const outcome = await callbackWithCode({ ...sandboxEndpointsAt(base), requiresStagingToken: false });
    expect(outcome.error).toMatchObject({ code: 'unexpected_response', status: 200 });
    // Described by its type and size: a page is never quoted, it may echo anything.
    expect((outcome.error as Error).message).toContain('HTML page');
    expect((outcome.error as Error).message).not.toContain('Corporate proxy');
    expect((outcome.error as Error).message).not.toContain('Failed to obtain access token');
  });

  it("a token endpoint that cannot be reached gives core's QontoNetworkError", async () => {
    const closed = createServer();
    closed.listen(0, '127.0.0.1');
    await once(closed, 'listening');
    const base = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const outcome = await callbackWithCode({ ...sandboxEndpointsAt(base), requiresStagingToken: false });
    expect(isQontoError(outcome.error)).toBe(true);
    expect(outcome.error).toMatchObject({ code: 'network' });
    expect((outcome.error as Error).message).not.toContain('a-code');
  });
});
