import { assertValidClient } from './clients.js';
import { assertLogOption } from './log-callback.js';
import type { QontoSandboxOptions, SandboxDemoApp } from './types.js';

function assertOption(ok: boolean, message: string): void {
  if (!ok) throw new TypeError(message);
}

/** Whether `url` parses as an absolute http: or https: URL (the home page links to it). */
function isHttpUrl(url: unknown): boolean {
  if (typeof url !== 'string') return false;
  try {
    return ['http:', 'https:'].includes(new URL(url).protocol);
  } catch {
    return false;
  }
}

function assertValidDemoApp(app: SandboxDemoApp): void {
  assertOption(
    typeof app?.name === 'string' && app.name.trim() !== '',
    `demoApps: each app needs a non-empty name, got ${JSON.stringify(app)}.`,
  );
  assertOption(
    isHttpUrl(app.url),
    `demoApps: ${app.name} needs an absolute http(s) URL such as http://localhost:3000, not ${JSON.stringify(app.url)}.`,
  );
}

/**
 * Refuses options the emulator could not start with, before anything is copied or listens, each with a
 * `TypeError` naming the option and the fix (a JSON `--config` reaches here unchecked).
 */
export function assertValidOptions(options: QontoSandboxOptions): void {
  const { mode = 'sandbox', gate = 'redirect' } = options;
  assertOption(
    mode === 'sandbox' || mode === 'production',
    `mode must be 'sandbox' or 'production', not ${JSON.stringify(mode)}.`,
  );
  assertOption(
    gate === 'redirect' || gate === 'html',
    `gate must be 'redirect' or 'html', not ${JSON.stringify(gate)}.`,
  );
  assertOption(
    options.port === undefined ||
      (Number.isInteger(options.port) && options.port >= 0 && options.port <= 65535),
    `port must be a whole number from 0 to 65535 (0 picks a free port), not ${JSON.stringify(options.port)}.`,
  );
  assertOption(
    options.host === undefined || (typeof options.host === 'string' && options.host !== ''),
    `host must be a non-empty string such as '127.0.0.1', not ${JSON.stringify(options.host)}.`,
  );
  assertOption(
    options.stagingToken === undefined ||
      (typeof options.stagingToken === 'string' && options.stagingToken !== ''),
    'stagingToken must be a non-empty string when given.',
  );
  assertOption(
    options.seed === undefined || Number.isSafeInteger(options.seed),
    `seed must be a whole number such as 42, not ${JSON.stringify(options.seed)}.`,
  );
  assertOption(
    options.startTime === undefined || Number.isFinite(options.startTime),
    `startTime must be a time in epoch milliseconds such as Date.UTC(2025, 0, 1), not ${JSON.stringify(options.startTime)}.`,
  );
  assertLogOption(options.log);
  assertOption(
    options.clients === undefined || Array.isArray(options.clients),
    `clients must be an array of clients, each { clientId, clientSecret, redirectUris: [...] }, not ${JSON.stringify(options.clients)}.`,
  );
  options.clients?.forEach(assertValidClient);
  const retryDelaysMs = options.webhookRetryDelaysMs;
  assertOption(
    retryDelaysMs === undefined ||
      (Array.isArray(retryDelaysMs) &&
        retryDelaysMs.length <= 20 &&
        retryDelaysMs.every((ms) => Number.isFinite(ms) && ms >= 0)),
    `webhookRetryDelaysMs must list at most 20 delays in ms, each a finite number >= 0, not ${JSON.stringify(retryDelaysMs)}.`,
  );
  assertOption(
    options.demoApps === undefined || Array.isArray(options.demoApps),
    `demoApps must be an array of { name, url }, not ${JSON.stringify(options.demoApps)}.`,
  );
  options.demoApps?.forEach(assertValidDemoApp);
}
