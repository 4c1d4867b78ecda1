import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { sandboxEndpointsAt } from '@qonto-oauth/core';
import { anyAttachment } from './api/attachment-view.js';
import { apiGateway, apiRoutes, isApiPath } from './api/routes.js';
import { apiError, gatewayNotFound } from './api-errors.js';
import { assertValidClient, defaultClients } from './clients.js';
import { createClock } from './clock.js';
import { ClockWaits } from './clock-waits.js';
import { connectedAppsRoutes } from './connected-apps.js';
import type { SandboxContext } from './context.js';
import { DEMO_APPS, DEMO_STAGING_TOKEN } from './demo.js';
import { ExpiringMap } from './expiring-map.js';
import { createFaultState, createFaults, injectFaults } from './faults.js';
import { fileRoutes } from './files.js';
import { homePage } from './home.js';
import type { HttpRequest } from './http/request.js';
import { RequestRefusedError } from './http/request-refused.js';
import { send, sendJson } from './http/respond.js';
import type { HttpResponse } from './http/response.js';
import { Router, runSteps, type Step } from './http/router.js';
import { BROWSER_STATE_CAPACITY, FLOW_LIFETIME_MS, WEB_APP_SESSION_LIFETIME_MS } from './limits.js';
import { listen } from './listen.js';
import { guardedLog } from './log-callback.js';
import { noFraming } from './no-framing.js';
import { authorizeRoutes } from './oauth/authorize.js';
import { GrantStore } from './oauth/grants.js';
import { createIdTokenSigner } from './oauth/id-token.js';
import { loginFlowRoutes } from './oauth/login-flow.js';
import { revocationRoutes } from './oauth/revocation.js';
import { tokenRoutes } from './oauth/token-endpoint.js';
import { randomSecret } from './random.js';
import { resolveRateLimits } from './rate-limit.js';
import { createRequestList, recordRequests } from './request-log.js';
import { createSeedData, DEFAULT_SEED } from './seed/index.js';
import { prngFor } from './seed/prng.js';
import { assertValidOptions } from './start-options.js';
import type { GateMode, QontoSandbox, QontoSandboxOptions, SandboxClient } from './types.js';
import { DEFAULT_WEBHOOK_RETRY_DELAYS_MS, WebhookDispatcher } from './webhooks/deliveries.js';
import { emitEvent, revokeConsent } from './webhooks/events.js';
import { WebhookSubscriptions } from './webhooks/subscriptions.js';

/** Prunes what expired by the emulator clock, so an idle store shrinks too (each write also prunes). */
function forgetExpired(ctx: SandboxContext): Step {
  return () => {
    ctx.store.prune();
    ctx.flows.prune();
    ctx.webAppSessions.prune();
  };
}

/**
 * Answers an error a step threw: a 4xx the request caused (a refused body, an undecodable path segment) as the
 * client's fault, anything else as a 500, in the error shape of the endpoint called.
 */
function answerError(req: HttpRequest, res: HttpResponse, error: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = (error as { status?: unknown }).status;
  const clientFault = typeof status === 'number' && status >= 400 && status < 500;
  const message = error instanceof Error ? error.message : String(error);
  const refusal =
    error instanceof RequestRefusedError && error.part === 'path'
      ? message
      : `The request body was refused (${message}).`;
  if (req.path.startsWith('/oauth2/')) {
    sendJson(res, clientFault ? status : 500, {
      error: clientFault ? 'invalid_request' : 'server_error',
      error_description: clientFault ? refusal : `The emulator failed: ${message}`,
    });
    return;
  }
  if (clientFault) apiError(res, status, 'invalid_request', refusal);
  else apiError(res, 500, 'internal_error', `The emulator failed: ${message}`);
}

/** The text/plain answer to OPTIONS on a path some route serves: the methods it takes, in `Allow`. */
function answerOptions(res: HttpResponse, methods: string[]): void {
  const allow = methods.join(', ');
  res.setHeader('Allow', allow);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  send(res, 200, 'text/plain; charset=utf-8', allow);
}

/**
 * Starts a local emulator of Qonto's sandbox: the OAuth server (authorize pages, token endpoint, staging gate) and
 * a Business API subset, on `http://127.0.0.1:<free port>` by default. Every behaviour, and which Qonto page it
 * comes from, is listed in the package README.
 *
 * @example
 * const sandbox = await startQontoSandbox();
 * const client = new QontoOAuthClient({ environment: sandbox.endpoints, stagingToken: sandbox.stagingToken, ... });
 */
export async function startQontoSandbox(options: QontoSandboxOptions = {}): Promise<QontoSandbox> {
  assertValidOptions(options);
  const mode = options.mode ?? 'sandbox';
  const gate = options.gate ?? 'redirect';
  const log = guardedLog(options.log);
  const demo = options.demo ?? false;
  const clients = (options.clients ?? defaultClients(demo)).map((c) => ({
    ...c,
    redirectUris: [...c.redirectUris],
  }));
  const retryDelaysMs = [...(options.webhookRetryDelaysMs ?? DEFAULT_WEBHOOK_RETRY_DELAYS_MS)];
  const demoApps = (options.demoApps ?? DEMO_APPS).map((a) => ({ name: a.name, url: a.url }));
  const clock = createClock(options.startTime);
  // The anchor of the seed's dates is startTime itself, not the clock a few ms later: the same seed and startTime
  // must give the same bytes.
  const anchor = options.startTime ?? clock.now();
  const seed = options.seed ?? DEFAULT_SEED;

  const ctx: SandboxContext = {
    mode,
    demo,
    demoApps,
    url: '',
    cookieSuffix: '',
    stagingToken: options.stagingToken ?? (demo ? DEMO_STAGING_TOKEN : randomSecret()),
    clients,
    gate,
    data: createSeedData(seed, anchor),
    store: new GrantStore(clock.now),
    signer: createIdTokenSigner(),
    clock,
    requests: createRequestList(),
    flows: new ExpiringMap({ keepMs: FLOW_LIFETIME_MS, capacity: BROWSER_STATE_CAPACITY, now: clock.now }),
    webAppSessions: new ExpiringMap({
      keepMs: WEB_APP_SESSION_LIFETIME_MS,
      capacity: BROWSER_STATE_CAPACITY,
      now: clock.now,
    }),
    log,
    faults: createFaultState(),
    latencyWaits: new ClockWaits(clock.now),
    traceIds: prngFor(seed, 'trace-ids'),
    uploadIds: prngFor(seed, 'uploads'),
    fileSigningKey: prngFor(seed, 'file-signing-key').hex(64),
    uploads: [],
    idempotency: new Map(),
    rateLimits: resolveRateLimits(options.rateLimit),
    rateLimitLog: new Map(),
    webhooks: {
      subscriptions: new WebhookSubscriptions(clock.now),
      dispatcher: new WebhookDispatcher({
        now: clock.now,
        retryDelaysMs,
        isLive: (id) => ctx.webhooks.subscriptions.has(id),
        log,
      }),
    },
  };
  clock.onAdvance(() => {
    ctx.webhooks.dispatcher.wake();
    ctx.latencyWaits.wake();
  });

  const router = new Router();
  router.get('/', homePage(ctx));
  // Emulator aid: Qonto documents no JWKS URL (qonto-api.md §1), but verifying id_tokens needs one.
  router.get('/.well-known/jwks.json', async (_req, res) => sendJson(res, 200, await ctx.signer.jwks()));
  authorizeRoutes(ctx, router);
  loginFlowRoutes(ctx, router);
  tokenRoutes(ctx, router);
  revocationRoutes(ctx, router);
  apiRoutes(ctx, router);
  fileRoutes(
    ctx,
    router,
    (id) => anyAttachment(ctx, id) ?? ctx.data.statements.find((st) => st.file.id === id)?.file,
  );
  connectedAppsRoutes(ctx, router);
  const everyRequest = [recordRequests(ctx), noFraming, forgetExpired(ctx), injectFaults(ctx)];
  const gateway = apiGateway(ctx);

  async function handle(req: HttpRequest, res: HttpResponse): Promise<void> {
    try {
      if (!(await runSteps(everyRequest, req, res))) return;
      // Qonto's API gateway checks the staging token and the rate limit of every path under /v2, routed or not.
      if (isApiPath(req.path) && !(await runSteps(gateway, req, res))) return;
      if (req.method === 'OPTIONS') {
        const methods = router.allowedMethods(req.path);
        if (methods.length > 0) return answerOptions(res, methods);
      }
      const route = router.find(req.method ?? 'GET', req.path);
      // Qonto's API gateway answers a path it does not route before anything else looks at the request.
      if (!route) return gatewayNotFound(res);
      req.params = route.params;
      if (await runSteps(route.steps, req, res)) {
        throw new Error(`${req.method} ${req.path} ran every step of its route without an answer`);
      }
    } catch (error) {
      answerError(req, res, error);
    }
  }

  const server = await listen(handle, options.port ?? 0, options.host ?? '127.0.0.1');
  try {
    return runningSandbox(ctx, server, { host: options.host ?? '127.0.0.1', mode, gate, demo });
  } catch (error) {
    // The caller gets no sandbox to close: nothing may keep listening (and keep the process alive).
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    throw error;
  }
}

/** The `QontoSandbox` of a server that listens. */
function runningSandbox(
  ctx: SandboxContext,
  server: Server<typeof HttpRequest, typeof HttpResponse>,
  o: { host: string; mode: 'sandbox' | 'production'; gate: GateMode; demo: boolean },
): QontoSandbox {
  const { host, mode, gate, demo } = o;
  const { port } = server.address() as AddressInfo;
  const urlHost =
    host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  ctx.url = `http://${urlHost}:${port}`;
  ctx.cookieSuffix = String(port);
  let closing: Promise<void> | undefined;

  const sandbox: QontoSandbox = {
    url: ctx.url,
    endpoints: { ...sandboxEndpointsAt(ctx.url), requiresStagingToken: mode === 'sandbox' },
    stagingToken: ctx.stagingToken,
    clients: ctx.clients,
    users: ctx.data.users,
    clock: ctx.clock,
    faults: createFaults(ctx, gate),
    requests: ctx.requests as QontoSandbox['requests'],
    addClient(client: SandboxClient) {
      assertValidClient(client);
      const copy = { ...client, redirectUris: [...client.redirectUris] };
      const index = ctx.clients.findIndex((c) => c.clientId === client.clientId);
      if (index === -1) ctx.clients.push(copy);
      else ctx.clients[index] = copy;
    },
    emitWebhook: (o) => emitEvent(ctx, o),
    revokeConsent: (o) => revokeConsent(ctx, o),
    webhookDeliveries: () => ctx.webhooks.dispatcher.deliveries(),
    close() {
      // Idempotent: a test's own close and its afterEach may both call it.
      ctx.webhooks.dispatcher.close();
      ctx.latencyWaits.close();
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
  // Secrets stay readable as properties (tests need them) but out of util.inspect and JSON.stringify output.
  const summary = () => ({
    url: ctx.url,
    mode,
    demo,
    clients: ctx.clients.map((c) => c.clientId),
    users: ctx.data.users.map((u) => u.email),
  });
  Object.defineProperty(sandbox, 'stagingToken', { enumerable: false });
  Object.defineProperties(sandbox, {
    toJSON: { value: summary, enumerable: false },
    [inspect.custom]: { value: () => `QontoSandbox ${inspect(summary())}`, enumerable: false },
  });
  return sandbox;
}
