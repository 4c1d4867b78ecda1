import {
  fromTokenResponse,
  MemoryConnectionStore,
  QontoApiClient,
  QontoConnections,
  QontoOAuthClient,
  type TokenSet,
} from '@qonto-oauth/core';
import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { completeAuthorization } from '@qonto-oauth/sandbox/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type QontoPassportProfile,
  QontoStrategy,
  type QontoVerifyFunctionWithRequestAndParams,
} from '../src/index.js';
import { PassportHarness } from './helpers/harness.js';

let sandbox: QontoSandbox;
let harness: PassportHarness;

beforeAll(async () => {
  sandbox = await startQontoSandbox();
});
afterAll(() => sandbox.close());
afterEach(() => harness?.close());

/** What the README's verify puts on `req.account`. */
interface Connection {
  profile: QontoPassportProfile;
  tokens: TokenSet;
}

/** An app with its own users, connecting Qonto with `passport.authorize('qonto-connect')`; records verify's `req.user`. */
async function connectApp() {
  harness = new PassportHarness();
  const callbackURL = await harness.listen();
  const clientID = `passport-connect-${Math.random().toString(36).slice(2)}`;
  sandbox.addClient({ clientId: clientID, clientSecret: 'connect-secret', redirectUris: [callbackURL] });
  harness.clientID = clientID;
  const usersSeenByVerify: unknown[] = [];
  const verify: QontoVerifyFunctionWithRequestAndParams = (
    req,
    _accessToken,
    _refreshToken,
    params,
    profile,
    done,
  ) => {
    usersSeenByVerify.push((req as { user?: unknown }).user);
    done(null, { profile, tokens: fromTokenResponse(params) } satisfies Connection);
  };
  const strategy = new QontoStrategy(
    {
      name: 'qonto-connect',
      clientID,
      clientSecret: 'connect-secret',
      callbackURL,
      environment: sandbox.endpoints,
      stagingToken: sandbox.stagingToken,
      passReqToCallback: true,
    },
    verify,
  );
  harness.mountConnect(strategy);
  return { usersSeenByVerify };
}

async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

describe("passport.authorize('qonto'): connect an organization to the app's signed-in user", () => {
  it('puts the connection in req.account, keeps req.user and the session, and honours organization_id', async () => {
    const { usersSeenByVerify } = await connectApp();
    expect((await harness.get('/sign-in/alice')).status).toBe(200);
    const owner = sandbox.users[0]!;
    const chosen = owner.organizations[1]!;

    const authorize = new URL(await harness.authorizationUrl(`/connect?organization_id=${chosen.id}`));
    expect(authorize.searchParams.get('organization_id')).toBe(chosen.id);
    expect(authorize.searchParams.get('code_challenge_method')).toBe('S256');
    // A member of two organizations: without organization_id the emulator would show the picker and fail here.
    const callback = await completeAuthorization(authorize.href, owner);
    const response = await harness.get(callback);
    expect(response.status).toBe(200);
    const { user, account } = await json<{ user: unknown; account: Connection }>(response);

    expect(user).toEqual({ id: 'alice' });
    expect(usersSeenByVerify).toEqual([{ id: 'alice' }]);
    expect(account.profile).toMatchObject({
      provider: 'qonto',
      emails: [{ value: owner.email }],
      organization: { id: chosen.id, legalName: chosen.legalName },
    });
    expect(account.tokens).toMatchObject({ tokenType: 'bearer', refreshToken: expect.any(String) });
    // The tokens are this organization's.
    const api = new QontoApiClient({
      environment: sandbox.endpoints,
      stagingToken: sandbox.stagingToken,
      tokens: account.tokens.accessToken,
    });
    expect((await api.getOrganization()).id).toBe(chosen.id);
    // The app's login is untouched: still alice, not the Qonto member.
    expect(await json(await harness.get('/me'))).toEqual({ user: { id: 'alice' } });
  });

  it('sends a declined consent to failureRedirect, still signed in as the app user', async () => {
    await connectApp();
    await harness.get('/sign-in/bob');
    const callback = await completeAuthorization(await harness.authorizationUrl('/connect'), {
      ...sandbox.users[1]!,
      deny: true,
    });
    const response = await harness.get(callback);
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/failed');
    expect(await json(await harness.get('/me'))).toEqual({ user: { id: 'bob' } });
  });

  it('refuses a replayed callback (state used) without a token request, the user kept', async () => {
    await connectApp();
    await harness.get('/sign-in/carol');
    const callback = await completeAuthorization(
      await harness.authorizationUrl('/connect'),
      sandbox.users[1]!,
    );
    expect((await harness.get(callback)).status).toBe(200);
    sandbox.requests.clear();
    const replay = await harness.get(callback);
    expect(replay.headers.get('location')).toBe('/failed');
    expect(sandbox.requests.some((r) => r.path === '/oauth2/token')).toBe(false);
    expect(await json(await harness.get('/me'))).toEqual({ user: { id: 'carol' } });
  });

  it("saves req.account's tokens through core's connections, one per organization, a reconnect keeping one connection", async () => {
    await connectApp();
    const connections = new QontoConnections({
      client: new QontoOAuthClient({
        environment: sandbox.endpoints,
        clientId: harness.clientID,
        clientSecret: 'connect-secret',
        stagingToken: sandbox.stagingToken,
      }),
      store: new MemoryConnectionStore(),
    });
    await harness.get('/sign-in/alice');
    const owner = sandbox.users[0]!;
    const connect = async (organizationId: string) => {
      const callback = await completeAuthorization(
        await harness.authorizationUrl(`/connect?organization_id=${organizationId}`),
        owner,
      );
      const { account } = await json<{ account: Connection }>(await harness.get(callback));
      return connections.save('alice', account.tokens);
    };

    const [first, second] = owner.organizations;
    const saved = await connect(first!.id);
    expect(saved).toMatchObject({ userKey: 'alice', organizationId: first!.id, status: 'active' });
    await connect(second!.id);
    await connect(first!.id);
    const listed = await connections.list('alice');
    expect(listed.map((c) => c.organizationId)).toEqual([first!.id, second!.id]);
    expect(listed[0]!.connectedAt).toBe(saved.connectedAt);
    expect((await connections.api('alice', second!.id).getOrganization()).id).toBe(second!.id);
  });
});
