import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { stopGroups } from '../../scripts/process-groups.mjs';

/** A free port on 127.0.0.1, from the kernel. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (server.address());
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts an app in its own process group (`next start` and `npm start` fork: only a signal to the group reaches
 * the server) and resolves once `url` answers over HTTP.
 * @param {[string, string[]]} command
 * @param {{ cwd: string, env: NodeJS.ProcessEnv, url: string, timeoutMs?: number }} options
 * @returns {Promise<{ log: () => string, stop: () => Promise<void> }>}
 */
export async function startApp([command, args], { cwd, env, url, timeoutMs = 120_000 }) {
  const child = spawn(command, args, { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  let exited = /** @type {string | undefined} */ (undefined);
  child.on('exit', (code, signal) => {
    exited = `exited ${code ?? signal}`;
  });
  child.on('error', (error) => {
    exited = error.message;
  });
  const app = {
    log: () => output,
    stop: () => (child.pid === undefined ? Promise.resolve() : stopGroups([child.pid])),
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== undefined)
      throw new Error(`\`${command} ${args.join(' ')}\` ${exited} before answering:\n${output}`);
    try {
      await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
      return app;
    } catch {
      if (Date.now() > deadline) {
        await app.stop();
        throw new Error(
          `\`${command} ${args.join(' ')}\` did not answer ${url} within ${timeoutMs / 1000} s:\n${output}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
