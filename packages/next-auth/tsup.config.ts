import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', authjs: 'src/authjs.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
  // The frameworks are the app's own copies: bundling @auth/core would break `customFetch` (a plain Symbol()).
  external: ['next-auth', '@auth/core', 'next', '@qonto-oauth/core'],
});
