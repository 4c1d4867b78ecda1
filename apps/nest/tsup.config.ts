import { defineConfig } from 'tsup';

// esbuild emits no decorator metadata: every injection in src/ names its token with @Inject(...).
export default defineConfig({
  entry: ['src/main.ts', 'src/create-app.ts'],
  format: ['esm'],
  clean: true,
  sourcemap: true,
  target: 'node20',
});
