import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

describe('error names', () => {
  it('survive a minifying bundler, so logs name the class (Next.js production builds rename classes)', async () => {
    const result = await build({
      entryPoints: [new URL('../src/index.ts', import.meta.url).pathname],
      bundle: true,
      minify: true,
      keepNames: false,
      format: 'esm',
      platform: 'neutral',
      write: false,
      logLevel: 'silent',
    });
    const code = result.outputFiles[0]!.text;
    const core = (await import(
      `data:text/javascript;base64,${Buffer.from(code).toString('base64')}`
    )) as Record<string, new (...args: never[]) => Error>;
    const made: Record<string, Error> = {
      QontoConfigError: new (core.QontoConfigError as unknown as new (m: string) => Error)('m'),
      QontoNetworkError: new (core.QontoNetworkError as unknown as new (m: string) => Error)('m'),
      QontoTimeoutError: new (core.QontoTimeoutError as unknown as new (m: string, o: object) => Error)('m', {
        timeoutMs: 1,
      }),
      QontoRateLimitError: new (core.QontoRateLimitError as unknown as new (m: string, o: object) => Error)(
        'm',
        {},
      ),
      QontoApiError: new (core.QontoApiError as unknown as new (m: string, o: object) => Error)('m', {
        status: 500,
      }),
      QontoOAuthError: new (core.QontoOAuthError as unknown as new (m: string, o: object) => Error)('m', {
        error: 'invalid_grant',
      }),
      QontoStagingGateError: new (
        core.QontoStagingGateError as unknown as new (
          m: string,
          o: object,
        ) => Error
      )('m', {
        status: 302,
      }),
      QontoUnexpectedResponseError: new (
        core.QontoUnexpectedResponseError as unknown as new (
          m: string,
        ) => Error
      )('m'),
      QontoTokenStoreError: new (core.QontoTokenStoreError as unknown as new (m: string) => Error)('m'),
      QontoWebhookSignatureError: new (
        core.QontoWebhookSignatureError as unknown as new (
          m: string,
        ) => Error
      )('m'),
    };
    for (const [name, error] of Object.entries(made)) {
      expect(error.name).toBe(name);
      expect(String(error)).toBe(`${name}: m`);
    }
  });
});
