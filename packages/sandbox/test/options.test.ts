import { once } from 'node:events';
import { type AddressInfo, connect, createServer } from 'node:net';
import { describe, expect, it, vi } from 'vitest';
import { startDemoSandbox } from '../src/index.js';
import type { QontoSandboxOptions } from '../src/types.js';
import { startSandbox } from './helpers.js';

describe('startQontoSandbox options', () => {
  it('refuses a log that is not a function, at start', async () => {
    await expect(startSandbox({ log: 'yes' } as unknown as QontoSandboxOptions)).rejects.toThrow(
      /^log must be a function receiving each line, such as \(line\) => console\.log\(line\), not "yes"\.$/,
    );
    await expect(startDemoSandbox({ log: true } as never)).rejects.toThrow(/^log must be a function/);
  });

  it('keeps answering when the log callback throws: it loses its lines, with one warning, never the process', async () => {
    const lines: string[] = [];
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => warnings.push(warning);
    process.on('warning', onWarning);
    try {
      const sandbox = await startSandbox({
        log: (line) => {
          lines.push(line);
          throw new Error('logger closed');
        },
      });
      for (let i = 0; i < 2; i++) expect((await fetch(`${sandbox.url}/`)).status).toBe(200);
      await vi.waitFor(() =>
        expect(lines).toEqual([expect.stringMatching(/^GET \/ -> 200/), expect.any(String)]),
      );
      await vi.waitFor(() => expect(warnings).toHaveLength(1));
      expect(warnings[0]).toMatchObject({
        code: 'QONTO_SANDBOX_LOG_FAILED',
        message: expect.stringContaining('threw (logger closed)'),
      });
    } finally {
      process.off('warning', onWarning);
    }
  });

  it.each([
    [
      { clients: {} },
      /^clients must be an array of clients, each \{ clientId, clientSecret, redirectUris: \[\.\.\.\] \}/,
    ],
    [{ clients: [null] }, /^A sandbox client needs a non-empty clientId\.$/],
    [
      { clients: [{ clientId: 'a', clientSecret: 's' }] },
      /^Sandbox client "a" needs at least one redirect URI in redirectUris\.$/,
    ],
    [
      { clients: [{ clientId: 'a', clientSecret: 's', redirectUris: 'http://127.0.0.1/cb' }] },
      /^Sandbox client "a" needs at least one redirect URI in redirectUris\.$/,
    ],
    [
      { clients: [{ clientId: 'a', clientSecret: 's', redirectUris: [42] }] },
      /^Sandbox client "a" has an invalid redirect URI: 42$/,
    ],
    [{ port: 'http' }, /^port must be a whole number from 0 to 65535 \(0 picks a free port\), not "http"\.$/],
    [{ port: -1 }, /^port must be a whole number from 0 to 65535/],
    [{ port: 65536 }, /^port must be a whole number from 0 to 65535/],
    [
      { startTime: '2025-01-01' },
      /^startTime must be a time in epoch milliseconds such as Date\.UTC\(2025, 0, 1\), not "2025-01-01"\.$/,
    ],
    [{ startTime: Number.NaN }, /^startTime must be a time in epoch milliseconds/],
    [{ seed: 'abc' }, /^seed must be a whole number such as 42, not "abc"\.$/],
    [{ demoApps: 'http://localhost:3000' }, /^demoApps must be an array of \{ name, url \}/],
    [{ webhookRetryDelaysMs: 60_000 }, /^webhookRetryDelaysMs must list at most 20 delays/],
  ])('refuses %j at start with a TypeError naming the option and the fix', async (options, message) => {
    const error = await startSandbox(options as unknown as QontoSandboxOptions).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toMatch(message);
  });

  it('listens on nothing once start failed after listening', async () => {
    const free = createServer().listen(0, '::1');
    await once(free, 'listening');
    const { port } = free.address() as AddressInfo;
    await new Promise((resolve) => free.close(resolve));
    // A scoped IPv6 address: the server listens on it, but no URL can name it.
    await expect(startSandbox({ host: '::1%lo', port })).rejects.toThrow();
    const connection = connect(port, '::1');
    const outcome = await new Promise((resolve) => {
      connection.once('connect', () => resolve('connected'));
      connection.once('error', (error: NodeJS.ErrnoException) => resolve(error.code));
    });
    connection.destroy();
    expect(outcome).toBe('ECONNREFUSED');
  });
});
