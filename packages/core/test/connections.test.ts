import { inspect } from 'node:util';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  connectionTokenKey,
  fromTokenResponse,
  MemoryConnectionStore,
  QONTO_REFRESH_TOKEN_LIFETIME_MS,
  QontoApiError,
  QontoConfigError,
  QontoConnections,
  QontoOAuthClient,
  QontoOAuthError,
  QontoTokenStoreError,
  toTokenResponse,
} from '../src/index.js';
import { CLIENT_SECRET, type FakeMember, STAGING, useFakeQonto } from './helpers/fake-qonto.js';

const T0 = Date.parse('2026-03-01T09:00:00Z');
const DAY = 86_400_000;
const qonto = useFakeQonto({ transactions: 250 });
const ADA: FakeMember = { organizationId: 'org-acme', membershipId: 'mem-ada', email: 'ada@acme.test' };
const ADA_OTHER_ORG: FakeMember = {
  organizationId: 'org-globex',
  membershipId: 'mem-ada-2',
  email: 'ada@acme.test',
};
const BOB: FakeMember = { organizationId: 'org-acme', membershipId: 'mem-bob', email: 'bob@acme.test' };

let clock = T0;
let tests = 0;
let store: MemoryConnectionStore;
let connections: QontoConnections;
let client: QontoOAuthClient;

beforeEach(() => {
  clock = T0;
  tests += 1;
  store = new MemoryConnectionStore({ now: () => clock });
  connections = newConnections();
});

function newConnections(o: { reconnectWarningDays?: number } = {}) {
  client = new QontoOAuthClient({
    environment: qonto.endpoints,
    // One client id per test: rotations are remembered process-wide by client id and refresh token.
    clientId: `app-${tests}`,
    clientSecret: CLIENT_SECRET,
    redirectUri: 'http://127.0.0.1:3000/settings/qonto/callback',
    stagingToken: STAGING,
    now: () => clock,
  });
  // The Business API calls take the client's environment and staging token.
  return new QontoConnections({ client, store, now: () => clock, ...o });
}

/** The whole dance: start, consent at (fake) Qonto, callback. */
async function connect(userKey: string, member: FakeMember, o: { organizationId?: string } = {}) {
  const { url, state } = await connections.start(userKey, o);
  const code = qonto.authorize(url, member);
  return connections.complete(userKey, { code, state });
}

/** A member revokes access at Qonto; two hours later (access token expired) the app syncs: what it got. */
async function syncAfterRevocation(membershipId: string): Promise<unknown> {
  qonto.revokeMember(membershipId);
  clock += 2 * 3600_000;
  return connections
    .api('user-1', 'org-acme')
    .getOrganization()
    .catch((e: unknown) => e);
}

describe('QontoConnections: start and complete', () => {
  it('connects an organization to an app user: PKCE, state, membership and organization, tokens in the store', async () => {
    const { url, state } = await connections.start('user-1', { organizationId: 'org-acme' });
    const authorize = new URL(url);
    expect(authorize.searchParams.get('organization_id')).toBe('org-acme');
    expect(authorize.searchParams.get('state')).toBe(state);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    const connection = await connections.complete(
      'user-1',
      `http://127.0.0.1:3000/settings/qonto/callback?code=${qonto.authorize(url, ADA)}&state=${state}`,
    );
    expect(connection).toEqual({
      userKey: 'user-1',
      organizationId: 'org-acme',
      organization: { id: 'org-acme', slug: 'slug-org-acme', legalName: 'ACME SAS' },
      membership: {
        id: 'mem-ada',
        role: 'owner',
        firstName: 'Ada',
        lastName: 'Lovelace',
        email: 'ada@acme.test',
      },
      status: 'active',
      connectedAt: T0,
      updatedAt: T0,
      refreshTokenExpiresAt: T0 + QONTO_REFRESH_TOKEN_LIFETIME_MS,
      reconnectBy: T0 + 90 * DAY,
      health: 'active',
    });
    const tokens = await store.tokens.get(connectionTokenKey('user-1', 'org-acme'));
    expect(tokens?.accessToken).toMatch(/^ory_at_/);
    expect(tokens?.refreshTokenExpiresAt).toBe(T0 + 90 * DAY);
    expect(await connections.list('user-1')).toEqual([connection]);
    expect(await connections.get('user-1', 'org-acme')).toEqual(connection);
  });

  it('refuses a callback whose state is unknown, used, expired or started by another user, before any exchange', async () => {
    const refused = async (userKey: string, callback: Record<string, string>) => {
      const error = await connections.complete(userKey, callback).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(QontoOAuthError);
      expect((error as QontoOAuthError).error).toBe('invalid_state');
      expect(String(error)).toMatch(
        /no connection was started with its state for this user\. .*Fix: start again/,
      );
    };
    const before = qonto.requests('/oauth2/token').length;
    await refused('user-1', { code: 'ory_ac_made-up', state: 'made-up-state' });
    await refused('user-1', { code: 'ory_ac_made-up' });

    const started = await connections.start('user-1');
    await refused('user-2', { code: qonto.authorize(started.url, ADA), state: started.state });
    // The state is single use: its owner cannot use it after another user's attempt burnt it either.
    await refused('user-1', { code: qonto.authorize(started.url, ADA), state: started.state });

    const late = await connections.start('user-1');
    clock += 10 * 60_000 + 1;
    await refused('user-1', { code: qonto.authorize(late.url, ADA), state: late.state });
    expect(qonto.requests('/oauth2/token').length).toBe(before);

    clock = T0;
    const once = await connections.start('user-1');
    const callback = { code: qonto.authorize(once.url, ADA), state: once.state };
    await connections.complete('user-1', callback);
    await refused('user-1', callback);
  });

  it("completes from the callback's request path (req.url), and keeps the started connection for a bad one", async () => {
    const { url, state } = await connections.start('user-1');
    const code = qonto.authorize(url, ADA);
    // Not Qonto's redirect (no code, no error): refused, and the real callback still completes.
    await expect(
      connections.complete('user-1', `/settings/qonto/callback?state=${state}`),
    ).rejects.toMatchObject({ name: 'QontoOAuthError', error: 'invalid_request' });
    const connection = await connections.complete(
      'user-1',
      `/settings/qonto/callback?code=${encodeURIComponent(code)}&state=${state}`,
    );
    expect(connection).toMatchObject({ organizationId: 'org-acme', status: 'active' });
  });

  it('gives the denial of consent as access_denied, and saves nothing', async () => {
    const { state } = await connections.start('user-1');
    await expect(
      connections.complete('user-1', {
        error: 'access_denied',
        error_description: 'The user said no',
        state,
      }),
    ).rejects.toMatchObject({ code: 'oauth', error: 'access_denied' });
    expect(await connections.list('user-1')).toEqual([]);
  });

  it('reconnecting the same organization replaces its tokens and keeps one connection and its connectedAt', async () => {
    await connect('user-1', ADA);
    const first = await store.tokens.get(connectionTokenKey('user-1', 'org-acme'));
    clock += 5 * DAY;
    const again = await connect('user-1', ADA);
    expect(again).toMatchObject({ connectedAt: T0, updatedAt: T0 + 5 * DAY, reconnectBy: T0 + 95 * DAY });
    const second = await store.tokens.get(connectionTokenKey('user-1', 'org-acme'));
    expect(second?.refreshToken).not.toBe(first?.refreshToken);
    expect(await connections.list('user-1')).toHaveLength(1);
  });

  it("keeps one connection per (user, organization): a user's organizations, an organization's users", async () => {
    await connect('user-1', ADA);
    clock += 1000;
    await connect('user-1', ADA_OTHER_ORG);
    await connect('user-2', BOB);
    expect((await connections.list('user-1')).map((c) => c.organizationId)).toEqual([
      'org-acme',
      'org-globex',
    ]);
    expect((await store.listByOrganization('org-acme')).map((c) => c.userKey).sort()).toEqual([
      'user-1',
      'user-2',
    ]);
  });

  it('saves the tokens of an OAuth dance run elsewhere (an adapter) with save()', async () => {
    const adapter = new QontoOAuthClient({
      environment: qonto.endpoints,
      clientId: 'adapter',
      clientSecret: CLIENT_SECRET,
      redirectUri: 'http://127.0.0.1:3000/cb',
      stagingToken: STAGING,
      pkce: false,
    });
    const { url } = await adapter.createAuthorizationRequest();
    // A framework's copy of the token response (passport's params) carries no refresh-token horizon.
    const params = toTokenResponse(
      await adapter.exchangeCode({ code: qonto.authorize(url, BOB) }),
      () => clock,
    );
    const connection = await connections.save(
      'user-9',
      fromTokenResponse(params, () => clock),
    );
    expect(connection).toMatchObject({
      userKey: 'user-9',
      organizationId: 'org-acme',
      membership: { id: 'mem-bob' },
    });
    expect(connection.reconnectBy).toBe(T0 + 90 * DAY);
  });
});

describe('QontoConnections: api()', () => {
  it('syncs with paginate, refreshing an expired token once for concurrent callers and saving the rotation', async () => {
    await connect('user-1', ADA);
    const key = connectionTokenKey('user-1', 'org-acme');
    const before = await store.tokens.get(key);
    clock += 2 * DAY;
    const refreshesBefore = qonto.requests('/oauth2/token').length;
    const syncs = await Promise.all(
      Array.from({ length: 5 }, async () => {
        const ids: string[] = [];
        for await (const tx of connections
          .api('user-1', 'org-acme')
          .paginate<{ id: string }>('/v2/transactions', {
            itemsKey: 'transactions',
          })) {
          ids.push(tx.id);
        }
        return ids;
      }),
    );
    expect(syncs.every((ids) => ids.length === 250 && ids[249] === 'org-acme-tx-250')).toBe(true);
    expect(qonto.requests('/oauth2/token').length - refreshesBefore).toBe(1);
    const after = await store.tokens.get(key);
    expect(after?.refreshToken).not.toBe(before?.refreshToken);
    // The rotation reset the 90 days, and the connection says so without a token read.
    expect(after?.refreshTokenExpiresAt).toBe(T0 + 92 * DAY);
    expect(await connections.get('user-1', 'org-acme')).toMatchObject({
      reconnectBy: T0 + 92 * DAY,
      health: 'active',
    });
  });

  it('marks the connection reconnect_required when Qonto refuses the refresh, and stops calling Qonto', async () => {
    await connect('user-1', ADA);
    const refused = await syncAfterRevocation('mem-ada');
    expect(refused).toBeInstanceOf(QontoOAuthError);
    expect((refused as QontoOAuthError).reconnectRequired).toBe(true);
    expect(await connections.get('user-1', 'org-acme')).toMatchObject({
      status: 'reconnect_required',
      statusReason: 'invalid_grant',
      health: 'reconnect_required',
    });
    expect(await store.tokens.get(connectionTokenKey('user-1', 'org-acme'))).toBeUndefined();

    const tokenRequests = qonto.requests('/oauth2/token').length;
    const again = await connections
      .api('user-1', 'org-acme')
      .getOrganization()
      .catch((e: unknown) => e);
    expect(again).toBeInstanceOf(QontoTokenStoreError);
    expect(again).toMatchObject({ reconnectRequired: true });
    expect(String(again)).toMatch(/is reconnect_required \(invalid_grant\)\. Fix: have the user connect/);
    expect(qonto.requests('/oauth2/token').length).toBe(tokenRequests);

    const back = await connect('user-1', { ...ADA, membershipId: 'mem-ada' });
    expect(back).toMatchObject({ status: 'active', health: 'active', connectedAt: T0 });
    expect(back).not.toHaveProperty('statusReason');
    expect((await connections.api('user-1', 'org-acme').getOrganization()).id).toBe('org-acme');
  });
});

describe('QontoConnections: api() after a revocation no webhook told about', () => {
  it('marks the connection when a 401 leads to a refused refresh, with the access token still unexpired', async () => {
    await connect('user-1', ADA);
    qonto.revokeMember('mem-ada'); // no clock change: the access token has not expired, Qonto answers 401
    const refused = await connections
      .api('user-1', 'org-acme')
      .getOrganization()
      .catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'oauth', error: 'invalid_grant', reconnectRequired: true });
    expect(await connections.get('user-1', 'org-acme')).toMatchObject({ status: 'reconnect_required' });
  });
});

describe('QontoConnections: the 90-day horizon', () => {
  it('is reconnect_soon within reconnectWarningDays of the refresh token expiry, reconnect_required after', async () => {
    await connect('user-1', ADA);
    const at = async (day: number) => {
      clock = T0 + day * DAY;
      return (await connections.get('user-1', 'org-acme'))?.health;
    };
    expect(await at(75)).toBe('active');
    expect(await at(76)).toBe('reconnect_soon');
    expect(await at(89.9)).toBe('reconnect_soon');
    expect(await at(90)).toBe('reconnect_required');

    connections = newConnections({ reconnectWarningDays: 30 });
    expect(await at(59)).toBe('active');
    expect(await at(60)).toBe('reconnect_soon');
  });

  it('refuses a warning threshold that is not a positive number of days', () => {
    expect(() => newConnections({ reconnectWarningDays: -1 })).toThrow(QontoConfigError);
  });
});

/** A promise and the function that resolves it. */
function deferred() {
  let resolve = () => {};
  const promise = new Promise<void>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/**
 * Holds the next save of `key`'s tokens until `release()`: a refresh caught between Qonto's answer and the store.
 * `saving` resolves once the save has started.
 */
function holdNextTokenSave(key: string) {
  const tokens = store.tokens;
  const set = tokens.set.bind(tokens);
  const [reached, released] = [deferred(), deferred()];
  tokens.set = async (k, value) => {
    if (k === key) {
      tokens.set = set;
      reached.resolve();
      await released.promise;
    }
    return set(k, value);
  };
  return { saving: reached.promise, release: released.resolve };
}

describe('QontoConnections: a reconnection while the old tokens refresh', () => {
  it("keeps the new member's tokens: the old chain's rotation, answered after, does not replace them", async () => {
    await connect('user-1', ADA);
    const key = connectionTokenKey('user-1', 'org-acme');
    clock += 2 * 3600_000; // the access token expired: the next call refreshes
    const refresh = client.refresh.bind(client);
    const [answered, held] = [deferred(), deferred()];
    client.refresh = async (refreshToken) => {
      const rotated = await refresh(refreshToken);
      answered.resolve();
      await held.promise;
      return rotated;
    };
    const call = connections.api('user-1', 'org-acme').getMembership();
    await answered.promise; // Qonto rotated Ada's tokens; nothing is saved yet
    await connect('user-1', BOB); // Bob reconnects the organization for the same user
    const bobs = await store.tokens.get(key);
    held.resolve();
    expect((await call).id).toBe('mem-bob'); // the call goes on with the connection's tokens
    expect(await store.tokens.get(key)).toEqual(bobs);
    expect(await connections.get('user-1', 'org-acme')).toMatchObject({
      status: 'active',
      membership: { id: 'mem-bob' },
    });
  });
});

describe('QontoConnections: a reconnection while Qonto refuses the old tokens', () => {
  it('stays active with the new tokens: the old chain refused after the reconnection is not the connection', async () => {
    await connect('user-1', ADA);
    const key = connectionTokenKey('user-1', 'org-acme');
    clock += 2 * 3600_000; // the access token expired: the next call refreshes
    qonto.revokeMember('mem-ada'); // Qonto will refuse Ada's refresh token (invalid_grant)
    const refresh = client.refresh.bind(client);
    const [sent, held] = [deferred(), deferred()];
    client.refresh = async (refreshToken) => {
      sent.resolve();
      await held.promise;
      return refresh(refreshToken);
    };
    const call = connections.api('user-1', 'org-acme').getMembership();
    await sent.promise; // the refresh of Ada's chain is on its way to Qonto
    const bob = await connect('user-1', BOB); // meanwhile Bob reconnects the organization for the same user
    expect(bob.status).toBe('active');
    const bobs = await store.tokens.get(key);
    held.resolve(); // Qonto refuses Ada's refresh token
    expect((await call).id).toBe('mem-bob');
    expect(await store.tokens.get(key)).toEqual(bobs);
    expect(await connections.get('user-1', 'org-acme')).toMatchObject({
      status: 'active',
      membership: { id: 'mem-bob' },
    });
  });
});

describe('QontoConnections: disconnect and revocation', () => {
  // In both, Qonto still takes the rotated token, so the call in flight completes: the tokens saved by its refresh
  // would be live ones, kept for a connection the app no longer has.
  it.each([
    ['marked revoked', () => connections.markRevoked('org-acme', { userKey: 'user-1' })],
    [
      'disconnected while Qonto is down',
      async () => {
        qonto.consentsStatus = 503;
        try {
          expect((await connections.disconnect('user-1', 'org-acme')).revoked).toBe(false);
        } finally {
          qonto.consentsStatus = 204;
        }
      },
    ],
  ])('a refresh in flight while the connection is %s does not save its tokens back', async (_, end) => {
    await connect('user-1', ADA);
    const key = connectionTokenKey('user-1', 'org-acme');
    clock += 2 * 3600_000; // the access token expired: the next call refreshes
    const { saving, release } = holdNextTokenSave(key);
    const call = connections.api('user-1', 'org-acme').getOrganization();
    await saving; // Qonto rotated the tokens; the store has not saved them yet
    await end();
    release();
    expect((await call).id).toBe('org-acme');
    expect(await store.tokens.get(key)).toBeUndefined();
    expect((await connections.get('user-1', 'org-acme'))?.status ?? 'deleted').not.toBe('active');
  });

  it('revokes the consent at Qonto with a fresh access token, then deletes the connection and its tokens', async () => {
    await connect('user-1', ADA);
    clock += 2 * 3600_000; // the access token expired: refreshed first
    expect(await connections.disconnect('user-1', 'org-acme')).toEqual({ revoked: true });
    const [revocation] = qonto.requests('/v2/oauth2/consents', 'DELETE');
    expect(revocation?.rawHeaders.authorization ?? revocation?.rawHeaders.Authorization).toMatch(
      /^Bearer ory_at_/,
    );
    expect(await connections.list('user-1')).toEqual([]);
    expect(await store.tokens.get(connectionTokenKey('user-1', 'org-acme'))).toBeUndefined();
  });

  it("marks revoked the app's other connections made as the same member: Qonto revoked the member's consent", async () => {
    await connect('user-1', ADA);
    await connect('user-2', ADA); // another user of the app connected the organization as Ada too
    await connect('user-3', BOB);
    expect(await connections.disconnect('user-1', 'org-acme')).toEqual({ revoked: true });
    expect(await connections.get('user-2', 'org-acme')).toMatchObject({
      status: 'revoked',
      statusReason: 'consent_revoked',
    });
    expect(await store.tokens.get(connectionTokenKey('user-2', 'org-acme'))).toBeUndefined();
    expect(await connections.get('user-3', 'org-acme')).toMatchObject({ status: 'active' });
  });

  it('reports a failed revocation and still deletes the connection', async () => {
    await connect('user-1', ADA);
    qonto.consentsStatus = 503;
    try {
      const result = await connections.disconnect('user-1', 'org-acme');
      expect(result.revoked).toBe(false);
      expect(result.error).toBeInstanceOf(QontoApiError);
      expect(await connections.get('user-1', 'org-acme')).toBeUndefined();
      expect(await store.tokens.get(connectionTokenKey('user-1', 'org-acme'))).toBeUndefined();
    } finally {
      qonto.consentsStatus = 204;
    }
  });

  it("marks an organization's connections revoked from a consent-revocation webhook, narrowed to the member", async () => {
    await connect('user-1', ADA);
    await connect('user-2', BOB);
    clock += 1000;
    const marked = await connections.markRevoked('org-acme', { membershipId: 'mem-ada' });
    expect(marked.map((c) => [c.userKey, c.status, c.statusReason, c.health])).toEqual([
      ['user-1', 'revoked', 'consent_revoked', 'revoked'],
    ]);
    expect(await store.tokens.get(connectionTokenKey('user-1', 'org-acme'))).toBeUndefined();
    expect(await connections.get('user-2', 'org-acme')).toMatchObject({ status: 'active' });
    const sync = await connections
      .api('user-1', 'org-acme')
      .getOrganization()
      .catch((e: unknown) => e);
    expect(sync).toMatchObject({ code: 'token_store', reconnectRequired: true });
    expect(String(sync)).toMatch(/"user-1" to organization "org-acme" is revoked \(consent_revoked\)/);

    // Disconnecting it afterwards asks nothing of Qonto: the consent is already gone.
    const revocations = qonto.requests('/v2/oauth2/consents').length;
    expect(await connections.disconnect('user-1', 'org-acme')).toEqual({ revoked: true });
    expect(qonto.requests('/v2/oauth2/consents').length).toBe(revocations);
    expect(await connections.list('user-1')).toEqual([]);
  });
});

describe('QontoConnections: handleConsentRevocation', () => {
  /** A `v1/consent-revocations` delivery as Qonto sends it; its `membership_id` says nothing of who revoked. */
  const revocation = (o: { clientId?: string; type?: string } = {}) => ({
    id: 'evt-1',
    subscription_id: 'sub-1',
    organization_id: 'org-acme',
    membership_id: 'mem-bob',
    type: o.type ?? 'v1/consent-revocations',
    created_at: new Date(clock).toISOString(),
    data: { client_id: o.clientId ?? `app-${tests}`, revoked_at: new Date(clock).toISOString() },
  });

  it("marks revoked only the connections Qonto now refuses: another member's to the organization stays active", async () => {
    await connect('user-1', ADA);
    await connect('user-2', BOB);
    await connect('user-1', ADA_OTHER_ORG);
    qonto.revokeMember('mem-ada'); // Ada revoked in Qonto; the envelope names Bob's membership all the same

    const result = await connections.handleConsentRevocation(revocation());
    expect(result.unchecked).toEqual([]);
    expect(result.revoked.map((c) => [c.userKey, c.organizationId, c.status, c.statusReason])).toEqual([
      ['user-1', 'org-acme', 'revoked', 'consent_revoked'],
    ]);
    expect(await store.tokens.get(connectionTokenKey('user-1', 'org-acme'))).toBeUndefined();
    expect(await connections.get('user-2', 'org-acme')).toMatchObject({ status: 'active' });
    expect((await connections.api('user-2', 'org-acme').getOrganization()).id).toBe('org-acme');
    expect(await connections.get('user-1', 'org-globex')).toMatchObject({ status: 'active' });

    // A second delivery of the event checks nothing again: the revoked connection has no tokens left to try.
    const membershipCalls = qonto.requests('/v2/membership').length;
    expect(await connections.handleConsentRevocation(revocation())).toEqual({ revoked: [], unchecked: [] });
    expect(qonto.requests('/v2/membership').length).toBe(membershipCalls + 1); // Bob's, still active
  });

  it("ignores another app's revocation and other event types without calling Qonto", async () => {
    await connect('user-1', ADA);
    qonto.revokeMember('mem-ada');
    const calls = qonto.requests('/v2/membership').length;
    for (const event of [revocation({ clientId: 'another-app' }), revocation({ type: 'v1/memberships' })]) {
      expect(await connections.handleConsentRevocation(event)).toEqual({ revoked: [], unchecked: [] });
    }
    expect(qonto.requests('/v2/membership').length).toBe(calls);
    expect(await connections.get('user-1', 'org-acme')).toMatchObject({ status: 'active' });
  });
});

describe('QontoConnections: secrets', () => {
  it('never shows a token, code, verifier, client secret or staging token', async () => {
    const connection = await connect('user-1', ADA);
    const { state } = await connections.start('user-1');
    const refused = await syncAfterRevocation('mem-ada');
    const shown = [
      JSON.stringify(connection),
      inspect(connection, { depth: 10 }),
      JSON.stringify(await connections.list('user-1')),
      inspect(connections, { depth: 10, showHidden: true }),
      inspect(store, { depth: 10, showHidden: true }),
      JSON.stringify(store),
      String(refused),
      JSON.stringify(refused),
      inspect(refused, { depth: 10 }),
    ].join('\n');
    for (const secret of qonto.secrets()) {
      if (secret !== '') expect(shown).not.toContain(secret);
    }
    expect(shown).not.toContain(state);
  });
});
