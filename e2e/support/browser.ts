import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's chromium package; the specs never download a browser (no network but the registries here). */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/**
 * Flags that keep Chromium quiet on a machine without network or GPU, running as root (CI): background
 * networking, component updates and sync would try to reach Google's hosts at every start.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/** Starts Debian's headless chromium, or fails with the command that installs it. */
export async function launchChromium(executablePath = CHROMIUM_PATH): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(
      `The browser specs drive Debian's chromium at ${executablePath}, which is not installed. ` +
        'Install it with `apt-get install -y chromium` (as root; .ci/run does this in CI), then run the tests again. ' +
        'No test downloads a browser of its own.',
    );
  }
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}
