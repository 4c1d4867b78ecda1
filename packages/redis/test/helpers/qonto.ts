import {
  parseAuthorizationCallback,
  QontoApiClient,
  QontoOAuthClient,
  type TokenSet,
} from '@qonto-oauth/core';
import { type QontoSandbox, startQontoSandbox } from '@qonto-oauth/sandbox';
import { completeAuthorization } from '@qonto-oauth/sandbox/testing';
import type { WorkerConfig } from './workers.js';

const APP = {
  clientId: 'redis-store-app',
  clientSecret: 'redis-store-app-secret-value',
  redirectUri: 'http://127.0.0.1:3999/callback',
};

/** The emulator with this test app registered, and what a test needs to connect to it and count its refreshes. */
export interface QontoFixture {
  sandbox: QontoSandbox;
  oauth: QontoOAuthClient;
  /** The worker processes' settings, given where Redis is. */
  workerConfig(redis: { redisUrl: string } | { cluster: { host: string; port: number }[] }): WorkerConfig;
  /** A new connection through the whole authorization flow, its access token already expired (as far as we know). */
  connectExpired(): Promise<TokenSet>;
  /** Refresh requests the emulator received since the last `clearRequests()`. */
  refreshRequests(): number;
  clearRequests(): void;
  /** Whether `accessToken` works against the emulator's Business API. */
  works(accessToken: string): Promise<boolean>;
  close(): Promise<void>;
}

export async function startQonto(): Promise<QontoFixture> {
  const sandbox = await startQontoSandbox();
  sandbox.addClient({
    clientId: APP.clientId,
    clientSecret: APP.clientSecret,
    redirectUris: [APP.redirectUri],
  });
  const oauth = new QontoOAuthClient({
    environment: sandbox.endpoints,
    ...APP,
    stagingToken: sandbox.stagingToken,
  });
  const user = sandbox.users[1]!;
  return {
    sandbox,
    oauth,
    workerConfig: (redis) => ({
      ...redis,
      endpoints: sandbox.endpoints,
      clientId: APP.clientId,
      clientSecret: APP.clientSecret,
      stagingToken: sandbox.stagingToken,
    }),
    async connectExpired() {
      const request = await oauth.createAuthorizationRequest();
      const callback = await completeAuthorization(request.url, {
        email: user.email,
        password: user.password,
      });
      const { code } = parseAuthorizationCallback(callback, { expectedState: request.state });
      const tokens = await oauth.exchangeCode({ code, codeVerifier: request.codeVerifier });
      return { ...tokens, expiresAt: Date.now() - 1000 };
    },
    refreshRequests: () =>
      sandbox.requests.filter((r) => r.method === 'POST' && r.path === '/oauth2/token').length,
    clearRequests: () => sandbox.requests.clear(),
    async works(accessToken) {
      const api = new QontoApiClient({
        environment: sandbox.endpoints,
        stagingToken: sandbox.stagingToken,
        tokens: accessToken,
      });
      return api.getOrganization().then(
        () => true,
        () => false,
      );
    },
    close: () => sandbox.close(),
  };
}
