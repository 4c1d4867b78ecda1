/**
 * `qonto-sandbox`: runs the emulator from a terminal, in demo mode by default, and prints what an app needs.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEMO_SANDBOX_PORT } from './demo.js';
import { startQontoSandbox } from './server.js';
import type { QontoSandbox, QontoSandboxOptions, SandboxDemoApp } from './types.js';

const USAGE = `Usage: qonto-sandbox [--port ${DEMO_SANDBOX_PORT}] [--host 127.0.0.1] [--mode sandbox|production]
                     [--gate redirect|html] [--no-demo] [--config file.json]
                     [--demo-app NAME=URL ...]

Starts a local emulator of Qonto's sandbox (OAuth server, staging gate, Business API subset).
Demo mode (the default) uses the public demo client and staging token of @qonto-oauth/sandbox/demo.
--demo-app NAME=URL (repeatable) replaces the sample-app links of the home page (default: ports 3000-3003).
--config reads startQontoSandbox options from a JSON file; flags win over it.`;

function fail(message: string, code = 2): never {
  console.error(`qonto-sandbox: ${message}`);
  process.exit(code);
}

/** `--demo-app NAME=URL`: the name is everything before the first `=`, so a URL may hold `=` in its query. */
function parseDemoApp(value: string): SandboxDemoApp {
  const at = value.indexOf('=');
  const name = at > 0 ? value.slice(0, at).trim() : '';
  const url = at > 0 ? value.slice(at + 1) : '';
  if (name === '' || !URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    fail(
      `--demo-app takes NAME=URL with an http(s) URL, e.g. --demo-app "my-app=http://localhost:3000", not ${value}.`,
    );
  }
  return { name, url };
}

function readOptions(): QontoSandboxOptions {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof spec }>>;
  const spec = {
    port: { type: 'string' },
    host: { type: 'string' },
    mode: { type: 'string' },
    gate: { type: 'string' },
    'no-demo': { type: 'boolean' },
    config: { type: 'string' },
    'demo-app': { type: 'string', multiple: true },
    help: { type: 'boolean', short: 'h' },
  } as const;
  try {
    parsed = parseArgs({ options: spec, strict: true, allowPositionals: false });
  } catch (error) {
    fail(`${(error as Error).message}\n\n${USAGE}`);
  }
  const v = parsed.values;
  if (v.help) {
    console.log(USAGE);
    process.exit(0);
  }
  let options: QontoSandboxOptions = {};
  if (v.config !== undefined) {
    try {
      options = JSON.parse(readFileSync(v.config, 'utf8')) as QontoSandboxOptions;
    } catch (error) {
      fail(`cannot read --config ${v.config}: ${(error as Error).message}`);
    }
    if (typeof options !== 'object' || options === null || Array.isArray(options))
      fail(
        `--config ${v.config} must hold a JSON object of startQontoSandbox options, such as { "seed": 42 }.`,
      );
  }
  const port = v.port ?? (options.port === undefined ? String(DEMO_SANDBOX_PORT) : String(options.port));
  if (!/^\d+$/.test(port) || Number(port) > 65535) {
    const where = v.port === undefined ? `port in --config ${v.config}` : '--port';
    fail(`${where} must be a number from 0 to 65535, not ${port}.`);
  }
  if (v.mode !== undefined && v.mode !== 'sandbox' && v.mode !== 'production') {
    fail(`--mode must be sandbox or production, not ${v.mode}.`);
  }
  if (v.gate !== undefined && v.gate !== 'redirect' && v.gate !== 'html')
    fail(`--gate must be redirect or html, not ${v.gate}.`);
  return {
    ...options,
    port: Number(port),
    host: v.host ?? options.host,
    mode: (v.mode as QontoSandboxOptions['mode']) ?? options.mode,
    gate: (v.gate as QontoSandboxOptions['gate']) ?? options.gate,
    demo: v['no-demo'] ? false : (options.demo ?? true),
    demoApps: v['demo-app']?.map(parseDemoApp) ?? options.demoApps,
  };
}

function banner(sandbox: QontoSandbox, options: QontoSandboxOptions): string {
  const e = sandbox.endpoints;
  const client = sandbox.clients[0];
  const env = [`QONTO_SANDBOX_URL=${sandbox.url}`];
  if (!e.requiresStagingToken) env.push('QONTO_ENV=production');
  if (client) env.push(`QONTO_CLIENT_ID=${client.clientId}`, `QONTO_CLIENT_SECRET=${client.clientSecret}`);
  if (e.requiresStagingToken) env.push(`QONTO_STAGING_TOKEN=${sandbox.stagingToken}`);
  return [
    `Qonto sandbox emulator running at ${sandbox.url} (${options.mode ?? 'sandbox'} mode${options.demo ? ', demo' : ''}, gate ${options.gate ?? 'redirect'})`,
    '',
    'Endpoints:',
    `  authorization  ${e.authorizationUrl}`,
    `  token          ${e.tokenUrl}`,
    `  API base       ${e.apiBaseUrl}`,
    `  issuer         ${e.issuer}`,
    `  JWKS           ${sandbox.url}/.well-known/jwks.json`,
    '',
    'Log in as (SMS code 123456):',
    ...sandbox.users.map(
      (u) => `  ${u.email}  password ${u.password}  (${u.organizations.length} organization(s))`,
    ),
    '',
    `.env for an app${options.demo ? ' (public demo values)' : ' (values for this run only: keep them out of logs)'}:`,
    ...env,
    client ? `Registered redirect URIs: ${client.redirectUris.join(' ')}` : '',
    '',
    'Requests (query strings and header values left out):',
  ].join('\n');
}

async function main(): Promise<void> {
  const options = readOptions();
  const time = () => new Date().toISOString().slice(11, 19);
  let sandbox: QontoSandbox;
  try {
    sandbox = await startQontoSandbox({ ...options, log: (line) => console.log(`${time()} ${line}`) });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'EADDRINUSE') {
      fail(
        `port ${options.port} is in use: stop what uses it, or choose another with --port (--port 0 picks a free one).`,
        1,
      );
    }
    fail((error as Error).message, 1);
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    sandbox.close().then(
      () => console.log(`${signal}: stopped.`),
      (error: Error) => fail(`could not stop cleanly: ${error.message}`, 1),
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // Printed last: whoever waits for the banner can signal us at once.
  console.log(banner(sandbox, options));
}

await main();
