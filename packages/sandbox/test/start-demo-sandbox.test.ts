import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEMO_CLIENT_ID, DEMO_STAGING_TOKEN } from '../src/demo.js';
import { type QontoSandbox, startDemoSandbox } from '../src/index.js';

/** A port something else holds for the test's duration. */
async function occupiedPort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, release: () => server.close() };
}

let started: QontoSandbox | undefined;
afterEach(async () => {
  await started?.close();
  started = undefined;
});

describe('startDemoSandbox', () => {
  it('starts the demo-mode emulator on the preferred port when it is free, and says where', async () => {
    const probe = await occupiedPort();
    probe.release();
    const lines: string[] = [];
    started = await startDemoSandbox({ preferredPort: probe.port, log: (line) => lines.push(line) });
    expect(started.url).toBe(`http://127.0.0.1:${probe.port}`);
    expect(started.stagingToken).toBe(DEMO_STAGING_TOKEN);
    expect(started.clients.map((c) => c.clientId)).toContain(DEMO_CLIENT_ID);
    expect(lines).toEqual([`started the Qonto sandbox emulator (demo mode) on ${started.url}`]);
    expect((await fetch(started.url)).status).toBe(200);
  });

  it('falls back to a free port when the preferred one is taken, and says so', async () => {
    const blocker = await occupiedPort();
    try {
      const lines: string[] = [];
      started = await startDemoSandbox({ preferredPort: blocker.port, log: (line) => lines.push(line) });
      expect(new URL(started.url).port).not.toBe(String(blocker.port));
      expect(lines).toEqual([
        `started the Qonto sandbox emulator (demo mode) on ${started.url} (port ${blocker.port} is in use)`,
      ]);
      expect((await fetch(started.url)).status).toBe(200);
    } finally {
      blocker.release();
    }
  });

  it('throws a failure that is not a taken port', async () => {
    await expect(startDemoSandbox({ host: '203.0.113.1', preferredPort: 0 })).rejects.toMatchObject({
      code: 'EADDRNOTAVAIL',
    });
  });
});
