import { DEMO_SANDBOX_PORT } from './demo.js';
import { PortInUseError } from './listen.js';
import { assertLogOption, guardedLog } from './log-callback.js';
import { startQontoSandbox } from './server.js';
import type { QontoSandbox } from './types.js';

/** Options of {@link startDemoSandbox}. */
export interface StartDemoSandboxOptions {
  /** The port to try first (default `DEMO_SANDBOX_PORT`, 4010: the URL the demo docs and `npx qonto-sandbox` use). */
  preferredPort?: number;
  /** Interface to listen on (default `127.0.0.1`). */
  host?: string;
  /**
   * Told where the emulator ended up, once, as a clause to put after the reason it was started, e.g.
   * `started the Qonto sandbox emulator (demo mode) on http://127.0.0.1:4010`, with
   * `(port 4010 is in use)` appended when it fell back to a free port. Nothing is printed without it.
   */
  log?: (line: string) => void;
}

/**
 * Starts the emulator in demo mode (the public demo client `qonto-oauth-demo`, staging token
 * `demo-staging-token`, the sample apps' callbacks) on `preferredPort` when that port is free, else on a free
 * port, so an app without Qonto credentials runs offline even when another emulator or app holds 4010. Build the
 * app's config with `demoQontoConfig(sandbox.url)` (`@qonto-oauth/sandbox/demo`) and `close()` the emulator with
 * the app. Errors other than a taken port (a host that does not exist, say) are thrown.
 *
 * @example
 * const sandbox = await startDemoSandbox({ log: (line) => console.log(`No QONTO_CLIENT_ID: ${line}`) })
 * const qonto = demoQontoConfig(sandbox.url)
 */
export async function startDemoSandbox(o: StartDemoSandboxOptions = {}): Promise<QontoSandbox> {
  assertLogOption(o.log);
  const log = guardedLog(o.log);
  const preferredPort = o.preferredPort ?? DEMO_SANDBOX_PORT;
  const options = { demo: true, ...(o.host === undefined ? {} : { host: o.host }) };
  let sandbox: QontoSandbox;
  let fellBack = false;
  try {
    sandbox = await startQontoSandbox({ ...options, port: preferredPort });
  } catch (error) {
    if (!(error instanceof PortInUseError)) throw error;
    sandbox = await startQontoSandbox({ ...options, port: 0 });
    fellBack = true;
  }
  log?.(
    `started the Qonto sandbox emulator (demo mode) on ${sandbox.url}` +
      (fellBack ? ` (port ${preferredPort} is in use)` : ''),
  );
  return sandbox;
}
