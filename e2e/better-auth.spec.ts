import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeSampleApp } from './support/sample-app-suite.js';
import { SAMPLE_APPS } from './support/sample-apps.js';

describeSampleApp(SAMPLE_APPS.betterAuth, {
  // A SQLite file of this run's own, out of the source tree (the app's default is apps/better-auth/data/).
  env: { DATABASE_FILE: join(mkdtempSync(join(tmpdir(), 'e2e-better-auth-')), 'app.db') },
  connectsAnotherOrganization: true,
});
