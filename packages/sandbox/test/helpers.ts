import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  parseAuthorizationCallback,
  QontoApiClient,
  type QontoApiClientOptions,
  QontoOAuthClient,
  QontoTokenManager,
} from '@qonto-oauth/core';
import { afterEach } from 'vitest';
import { startQontoSandbox } from '../src/index.js';
import { completeAuthorization } from '../src/testing.js';
import type { QontoSandbox, QontoSandboxOptions, SandboxUser } from '../src/types.js';

const running: QontoSandbox[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.close()));
});

/** An emulator on a free port, closed after the test. */
export async function startSandbox(options: QontoSandboxOptions = {}): Promise<QontoSandbox> {
  const sandbox = await startQontoSandbox(options);
  running.push(sandbox);
  return sandbox;
}

export const REDIRECT_URI = 'http://127.0.0.1/callback';

/** The authorize URL of the sandbox's first client, with overridable parameters (`undefined` drops one). */
export function authorizeUrl(sandbox: QontoSandbox, params: Record<string, string | undefined> = {}): string {
  const client = sandbox.clients[0]!;
  const url = new URL(sandbox.endpoints.authorizationUrl);
  const all: Record<string, string | undefined> = {
    client_id: client.clientId,
    redirect_uri: REDIRECT_URI,
    response_type: 'code',
    scope: 'offline_access openid membership.read organization.read',
    state: 'state-123',
    ...params,
  };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) url.searchParams.set(k, v);
  return url.href;
}

/** A PKCE S256 pair. */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** Runs the browser flow and returns the `code` from the callback. */
export async function obtainCode(
  sandbox: QontoSandbox,
  o: { params?: Record<string, string | undefined>; user?: SandboxUser; organizationId?: string } = {},
): Promise<string> {
  const user = o.user ?? sandbox.users[1]!;
  const callback = new URL(
    await completeAuthorization(authorizeUrl(sandbox, o.params), {
      email: user.email,
      password: user.password,
      organizationId: o.organizationId,
    }),
  );
  const code = callback.searchParams.get('code');
  if (!code) throw new Error(`no code in ${callback.href}`);
  return code;
}

/** POSTs a form to the token endpoint with the exact staging header (unless `headers` says otherwise). */
export async function postToken(
  sandbox: QontoSandbox,
  form: Record<string, string>,
  headers: Record<string, string> = { 'X-Qonto-Staging-Token': sandbox.stagingToken },
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(sandbox.endpoints.tokenUrl, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
    redirect: 'manual',
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The client credentials of the sandbox's first client, as form fields. */
export function clientForm(sandbox: QontoSandbox): { client_id: string; client_secret: string } {
  const client = sandbox.clients[0]!;
  return { client_id: client.clientId, client_secret: client.clientSecret };
}

/** Exchanges a code with the first client's credentials and the default redirect URI. */
export function exchange(sandbox: QontoSandbox, code: string, extra: Record<string, string> = {}) {
  return postToken(sandbox, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    ...clientForm(sandbox),
    ...extra,
  });
}

/** A Business API GET with the staging header and a bearer token. */
export function apiGet(sandbox: QontoSandbox, path: string, accessToken: string, method = 'GET') {
  return fetch(`${sandbox.url}${path}`, {
    method,
    headers: { 'X-Qonto-Staging-Token': sandbox.stagingToken, Authorization: `Bearer ${accessToken}` },
    redirect: 'manual',
  });
}

/**
 * A file URL (attachment, statement) fetched as a backend does on Qonto's sandbox, where it sits behind the sign-in
 * gate: with the staging header and no bearer token.
 */
export function fetchFile(sandbox: QontoSandbox, url: string): Promise<Response> {
  return fetch(url, { headers: { 'X-Qonto-Staging-Token': sandbox.stagingToken } });
}

/** A registered app for the tests that go through core's clients. */
export const CORE_APP = {
  clientId: 'core-app',
  clientSecret: 'core-app-secret',
  redirectUri: 'http://127.0.0.1:3999/callback',
};

/**
 * Connects a user (users[1] by default) to an organization through core's OAuth client and the emulator's pages,
 * and returns the OAuth client, the tokens and an API client on a token manager.
 */
export async function connectThroughCore(
  sandbox: QontoSandbox,
  o: {
    user?: SandboxUser;
    organizationId?: string;
    scopes?: string[];
    retry?: QontoApiClientOptions['retry'];
    stagingToken?: string;
  } = {},
) {
  sandbox.addClient({ ...CORE_APP, redirectUris: [CORE_APP.redirectUri] });
  const user = o.user ?? sandbox.users[1]!;
  const oauth = new QontoOAuthClient({
    environment: sandbox.endpoints,
    ...CORE_APP,
    stagingToken: sandbox.stagingToken,
    scopes: o.scopes,
    now: sandbox.clock.now,
  });
  const request = await oauth.createAuthorizationRequest();
  const callback = await completeAuthorization(request.url, {
    email: user.email,
    password: user.password,
    organizationId: o.organizationId ?? user.organizations[0]!.id,
  });
  const { code } = parseAuthorizationCallback(callback, { expectedState: request.state });
  const tokens = await oauth.exchangeCode({ code, codeVerifier: request.codeVerifier });
  const manager = new QontoTokenManager({ client: oauth, tokens, now: sandbox.clock.now });
  const api = new QontoApiClient({
    environment: sandbox.endpoints,
    stagingToken: o.stagingToken ?? sandbox.stagingToken,
    tokens: manager,
    retry: o.retry ?? { maxDelayMs: 5 },
  });
  return { oauth, tokens, manager, api, user };
}

/**
 * Connects a user (users[0] by default) to one of their organizations with `scope` (the authorize URL's default
 * when absent) and returns raw HTTP helpers with its access token.
 */
export async function connectRaw(
  sandbox: QontoSandbox,
  o: { scope?: string; userIndex?: number; organizationIndex?: number } = {},
) {
  const user = sandbox.users[o.userIndex ?? 0]!;
  const organizationId = user.organizations[o.organizationIndex ?? 0]!.id;
  const code = await obtainCode(sandbox, { user, organizationId, params: o.scope ? { scope: o.scope } : {} });
  const { body } = await exchange(sandbox, code);
  const accessToken = body.access_token as string;
  const get = async <T = Record<string, unknown>>(
    path: string,
  ): Promise<{ status: number; headers: globalThis.Headers; text: string; body: T }> => {
    const response = await apiGet(sandbox, path, accessToken);
    const text = await response.text();
    const json = /json/.test(response.headers.get('content-type') ?? '')
      ? (JSON.parse(text) as T)
      : undefined;
    return { status: response.status, headers: response.headers, text, body: json as T };
  };
  return { user, organizationId, accessToken, refreshToken: body.refresh_token as string, get };
}

/**
 * Every route the emulator declares (`router.get('/path'`, `app.post(…`), read from its source, so a route added
 * later is fuzzed without editing this list.
 */
export function declaredRoutes(): { method: string; path: string }[] {
  const src = join(import.meta.dirname, '..', 'src');
  const files = readdirSync(src, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  const routes = new Map<string, { method: string; path: string }>();
  for (const file of files) {
    const text = readFileSync(join(src, file), 'utf8');
    for (const m of text.matchAll(/\b(?:router|app)\.(get|post|put|patch|delete)\(\s*'([^']+)'/g)) {
      const route = { method: (m[1] as string).toUpperCase(), path: m[2] as string };
      routes.set(`${route.method} ${route.path}`, route);
    }
  }
  return [...routes.values()];
}
