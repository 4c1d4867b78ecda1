import {
  isQontoError,
  MemoryConnectionStore,
  QontoConfigError,
  type QontoConnectionStore,
  QontoConnections,
  type QontoEndpoints,
  QontoOAuthClient,
  type QontoOAuthClientOptions,
  type TokenStore,
} from '@qonto-oauth/core';

/**
 * Options of `QontoModule.forRoot()` / `forRootAsync()`: core's OAuth client options (`environment`, `clientId`,
 * `clientSecret`, `redirectUri`, `stagingToken` for the sandbox, `scopes`, `fetch`), plus `stateSecret`. The names
 * match core's `qontoConfigFromEnv()`, so `QontoModule.forRoot({ ...qontoConfigFromEnv(), redirectUri })` works.
 * `redirectUri` must be absolute: the state cookie is scoped to its path.
 */
export interface QontoModuleOptions
  extends Pick<
    QontoOAuthClientOptions,
    'environment' | 'clientId' | 'clientSecret' | 'stagingToken' | 'scopes' | 'fetch'
  > {
  /** The absolute callback URL registered for this environment in the Developer Portal (required here). */
  redirectUri: string;
  /**
   * Key material (at least 32 characters) for the login state cookie. Default: a key derived from `clientSecret`,
   * so rotating the client secret also invalidates logins in progress.
   */
  stateSecret?: string | undefined;
  /**
   * Where `QontoService.api(tokens, { key })` keeps each connection's rotated tokens, e.g. a `RedisTokenStore`
   * from `@qonto-oauth/redis`, which also refreshes a connection once among all the app's processes. With it,
   * `api()` needs the connection's `key`.
   */
  store?: TokenStore | undefined;
  /**
   * Organizations connected to your app's own users (core's `QontoConnections`, injected with
   * `@Inject(QONTO_CONNECTIONS)`): where they are kept, and the callback of the connect flow.
   */
  connections?: QontoConnectionsModuleOptions | undefined;
}

/** The `connections` option of {@link QontoModuleOptions}. */
export interface QontoConnectionsModuleOptions {
  /**
   * Where connections, their tokens and connections in progress are kept. Default: a `MemoryConnectionStore` (one
   * process, forgotten on restart); `RedisConnectionStore` from `@qonto-oauth/redis` for several processes.
   */
  store?: QontoConnectionStore | undefined;
  /**
   * The absolute callback URL of your connect route, registered at Qonto like the login one, e.g.
   * `http://localhost:3002/connect/qonto/callback`. Default: `redirectUri`.
   */
  redirectUri?: string | undefined;
  /** A connection's `health` is `reconnect_soon` this many days before its refresh token expires (default 14). */
  reconnectWarningDays?: number | undefined;
}

/** {@link QontoModuleOptions} after validation, as provided under `QONTO_OPTIONS`. Secrets are non-enumerable. */
export interface ResolvedQontoOptions extends Readonly<Omit<QontoModuleOptions, 'scopes' | 'connections'>> {
  readonly endpoints: QontoEndpoints;
  readonly scopes: readonly string[];
  /** Pathname of `redirectUri`: the state cookie's `Path`. */
  readonly callbackPath: string;
  /** Core's OAuth client, built from these options. */
  readonly client: QontoOAuthClient;
  /** Core's connections over the `connections` option's store (non-enumerable). */
  readonly connections: QontoConnections;
}

const MIN_STATE_SECRET_LENGTH = 32;

function configError(message: string): QontoConfigError {
  return new QontoConfigError(`QontoModule options: ${message}`);
}

/** Runs core's constructors: a `QontoConfigError` they throw names the option; say which module's options they were. */
function inModule<T>(build: () => T, option = ''): T {
  try {
    return build();
  } catch (error) {
    throw isQontoError(error) && error.code === 'config' ? configError(option + error.message) : error;
  }
}

function buildClient(
  options: QontoModuleOptions,
  redirectUri = options.redirectUri,
  option = '',
): QontoOAuthClient {
  return inModule(
    () =>
      new QontoOAuthClient({
        environment: options.environment,
        clientId: options.clientId,
        clientSecret: options.clientSecret,
        redirectUri,
        stagingToken: options.stagingToken,
        scopes: options.scopes,
        fetch: options.fetch,
      }),
    option,
  );
}

function buildConnections(options: QontoModuleOptions, client: QontoOAuthClient): QontoConnections {
  const o: QontoConnectionsModuleOptions = options.connections ?? {};
  if (typeof o !== 'object' || o === null) {
    throw configError('connections must be an object: { store?, redirectUri?, reconnectWarningDays? }.');
  }
  const store = o.store ?? new MemoryConnectionStore();
  const missing = ['get', 'list', 'put', 'delete', 'putPending', 'takePending'].filter(
    (name) => typeof (store as unknown as Record<string, unknown>)[name] !== 'function',
  );
  if (missing.length > 0 || typeof store.tokens?.get !== 'function') {
    throw configError(
      'connections.store must be a QontoConnectionStore, such as new RedisConnectionStore({ url }) from ' +
        '@qonto-oauth/redis or MemoryConnectionStore from @qonto-oauth/core' +
        (missing.length > 0 ? ` (it has no ${missing.join(', ')}).` : ' (it has no tokens store).'),
    );
  }
  const connectClient =
    o.redirectUri === undefined || o.redirectUri === options.redirectUri
      ? client
      : buildClient(options, o.redirectUri, 'connections: ');
  return inModule(
    () =>
      new QontoConnections({
        client: connectClient,
        store,
        stagingToken: options.stagingToken === '' ? undefined : options.stagingToken,
        fetch: options.fetch,
        reconnectWarningDays: o.reconnectWarningDays,
      }),
    'connections: ',
  );
}

function checkStateSecret(value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'string' || value.length < MIN_STATE_SECRET_LENGTH) {
    throw configError(
      `stateSecret must be a string of at least ${MIN_STATE_SECRET_LENGTH} characters. Give a random one ` +
        '(`openssl rand -hex 32`), or leave it out to derive one from clientSecret.',
    );
  }
}

function checkStore(value: unknown): void {
  if (value === undefined) return;
  const store = value as Partial<TokenStore> | null;
  if (
    typeof store?.get !== 'function' ||
    typeof store.set !== 'function' ||
    typeof store.delete !== 'function'
  ) {
    throw configError(
      'store must be a TokenStore (get, set and delete), such as new RedisTokenStore({ url }) from ' +
        '@qonto-oauth/redis or MemoryTokenStore from @qonto-oauth/core.',
    );
  }
}

function hide(target: object, key: string, value: unknown): void {
  if (value !== undefined) Object.defineProperty(target, key, { value, enumerable: false });
}

/**
 * Validates the module options (core's checks, plus `stateSecret`). Runs inside the `QONTO_OPTIONS` provider, so a
 * bad option fails `NestFactory.create()` / `createApplicationContext()` with a `QontoConfigError` naming it,
 * while `forRoot()` / `forRootAsync()` themselves never throw. Messages never contain a secret's value.
 */
export function resolveQontoOptions(input: QontoModuleOptions | undefined | null): ResolvedQontoOptions {
  if (typeof input !== 'object' || input === null) {
    throw configError(
      "none were given: forRoot() needs an object, and forRootAsync()'s factory must return one.",
    );
  }
  const client = buildClient(input);
  // Core takes a client without a redirect URI; the module's callback route and state cookie need one.
  if (client.redirectUri === undefined) {
    throw configError(
      'redirectUri is missing: give the absolute callback URL registered in the Developer Portal, e.g. ' +
        'http://localhost:3002/auth/qonto/callback.',
    );
  }
  const callbackUrl = new URL(client.redirectUri);
  if (callbackUrl.protocol !== 'https:' && callbackUrl.protocol !== 'http:') {
    throw configError(`redirectUri must be an http(s) URL, not ${callbackUrl.protocol}`);
  }
  checkStateSecret(input.stateSecret);
  checkStore(input.store);
  const connections = buildConnections(input, client);
  const resolved = {
    environment: input.environment,
    endpoints: client.endpoints,
    clientId: client.clientId,
    redirectUri: client.redirectUri,
    callbackPath: callbackUrl.pathname,
    scopes: client.scopes,
  } as ResolvedQontoOptions;
  // Non-enumerable: logging or JSON-serialising the injected options shows no secret.
  hide(resolved, 'client', client);
  hide(resolved, 'clientSecret', input.clientSecret);
  hide(resolved, 'stagingToken', input.stagingToken === '' ? undefined : input.stagingToken);
  hide(resolved, 'stateSecret', input.stateSecret);
  hide(resolved, 'fetch', input.fetch);
  // Non-enumerable too: a store holds a Redis client, nothing to print with the options.
  hide(resolved, 'store', input.store);
  hide(resolved, 'connections', connections);
  return Object.freeze(resolved);
}
