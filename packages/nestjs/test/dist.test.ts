import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const packageDir = fileURLToPath(new URL('..', import.meta.url));

// Boots QontoModule from the published build: no decorator metadata there (tsup), so this proves the explicit
// @Inject tokens, and, from CommonJS, that Nest 12's ESM-only packages load through require(esm).
const script = (load: string) => `
${load}
const { Module } = common;
const { NestFactory } = core;
const { QontoModule, QontoService, QONTO_OPTIONS } = nest;
class AppModule {}
Module({ imports: [QontoModule.forRoot({ environment: 'production', clientId: 'id', clientSecret: 'secret',
  redirectUri: 'http://localhost:3002/auth/qonto/callback' })] })(AppModule);
NestFactory.createApplicationContext(AppModule, { logger: false, abortOnError: false }).then(async (app) => {
  const request = await app.get(QontoService).createAuthorizationRequest();
  console.log(JSON.stringify({ host: new URL(request.url).host, clientId: app.get(QONTO_OPTIONS).clientId }));
  await app.close();
});`;

describe('the built package', () => {
  it.each([
    [
      'CommonJS',
      '.cjs',
      "require('reflect-metadata'); const common = require('@nestjs/common'); const core = require('@nestjs/core'); const nest = require('./dist/index.cjs');",
    ],
    [
      'ESM',
      '.mjs',
      "import 'reflect-metadata'; import * as common from '@nestjs/common'; import * as core from '@nestjs/core'; import * as nest from './dist/index.js';",
    ],
  ])('boots from %s', async (_name, extension, load) => {
    const { stdout } = await run(
      process.execPath,
      [`--input-type=${extension === '.cjs' ? 'commonjs' : 'module'}`, '-e', script(load)],
      {
        cwd: packageDir,
      },
    );
    expect(JSON.parse(stdout)).toEqual({ host: 'oauth.qonto.com', clientId: 'id' });
  });
});
