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
});
