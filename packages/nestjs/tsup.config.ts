import { defineConfig } from 'tsup';

// tsup (esbuild) emits no `design:paramtypes`: every constructor parameter in src/ carries an explicit @Inject(TOKEN),
// so the ESM and CJS builds inject the same way as a consumer's build without decorator metadata.
export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'node20',
});
