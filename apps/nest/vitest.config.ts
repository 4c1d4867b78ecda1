import { defineProject } from 'vitest/config';

export default defineProject({
  // Nest's legacy decorators; no decorator metadata: every injection names its token with @Inject(...).
  oxc: { decorator: { legacy: true, emitDecoratorMetadata: false } },
  test: {
    include: ['test/**/*.test.ts'],
    // Each file boots Nest apps and an emulator; forks keep passport's global strategy registry per file.
    pool: 'forks',
  },
});
