import { DEMO_CLIENT_ID, DEMO_CLIENT_SECRET, DEMO_REDIRECT_URIS } from './demo.js';
import { randomSecret } from './random.js';
import { QONTO_SCOPES } from './scopes.js';
import type { SandboxClient } from './types.js';

/** The default client's id outside demo mode. */
export const DEFAULT_CLIENT_ID = 'qonto-sandbox-client';
/** The default client's one redirect URI outside demo mode. */
export const DEFAULT_REDIRECT_URI = 'http://127.0.0.1/callback';

/** The client an emulator registers when the caller gives none. */
export function defaultClients(demo: boolean): SandboxClient[] {
  if (demo) {
    return [
      { clientId: DEMO_CLIENT_ID, clientSecret: DEMO_CLIENT_SECRET, redirectUris: [...DEMO_REDIRECT_URIS] },
    ];
  }
  return [
    { clientId: DEFAULT_CLIENT_ID, clientSecret: randomSecret(), redirectUris: [DEFAULT_REDIRECT_URI] },
  ];
}

/** Rejects a client the emulator could not serve, naming the field to fix. */
export function assertValidClient(client: SandboxClient): void {
  const where = `Sandbox client ${JSON.stringify(client?.clientId ?? '')}`;
  if (typeof client?.clientId !== 'string' || client.clientId === '') {
    throw new TypeError('A sandbox client needs a non-empty clientId.');
  }
  if (typeof client.clientSecret !== 'string' || client.clientSecret === '') {
    throw new TypeError(`${where} needs a non-empty clientSecret.`);
  }
  if (!Array.isArray(client.redirectUris) || client.redirectUris.length === 0) {
    throw new TypeError(`${where} needs at least one redirect URI in redirectUris.`);
  }
  for (const uri of client.redirectUris) {
    if (typeof uri !== 'string' || !URL.canParse(uri.replace(':*', ':1')))
      throw new TypeError(`${where} has an invalid redirect URI: ${String(uri)}`);
  }
  if (client.userFlow !== undefined && typeof client.userFlow !== 'boolean') {
    throw new TypeError(`${where}: userFlow is true (approved for the user OAuth flow) or false.`);
  }
  if (client.allowedScopes !== undefined && !Array.isArray(client.allowedScopes)) {
    throw new TypeError(`${where}: allowedScopes is an array of scopes, such as ['organization.read'].`);
  }
  for (const scope of client.allowedScopes ?? []) {
    if (!(scope in QONTO_SCOPES)) {
      throw new TypeError(
        `${where} allows ${JSON.stringify(scope)}, which is not a Qonto scope (see QONTO_SCOPES).`,
      );
    }
  }
}

/**
 * Whether `candidate` is one of the client's registered redirect URIs: exact string equality (as Qonto compares
 * them), or, for a registered URI with the port `*`, the same scheme, host, path and query on any port.
 */
export function isRegisteredRedirectUri(client: SandboxClient, candidate: string): boolean {
  return client.redirectUris.some((registered) => {
    if (registered === candidate) return true;
    if (!registered.includes(':*')) return false;
    const pattern = URL.parse(registered.replace(':*', ':1'));
    const actual = URL.parse(candidate);
    if (!pattern || !actual || actual.username !== '' || actual.password !== '' || actual.hash !== '')
      return false;
    return (
      actual.protocol === pattern.protocol &&
      actual.hostname === pattern.hostname &&
      actual.pathname === pattern.pathname &&
      actual.search === pattern.search
    );
  });
}
