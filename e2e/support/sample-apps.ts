import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanEnv, freePort, type GroupProcess, spawnGroup, waitForHttp } from './processes.js';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** A sample app under apps/, as the specs start it. */
export interface SampleApp {
  /** Its package name. */
  name: string;
  /** Its folder under apps/, also the name of its screenshots and README image. */
  folder: 'next' | 'express-passport' | 'nest' | 'better-auth';
  /** How the README and the screenshots call it. */
  title: string;
  /** Its port in design.md's table (and `pnpm demo`): the README images show it, whatever port a run used. */
  defaultPort: number;
}

export const SAMPLE_APPS = {
  next: { name: 'example-next', folder: 'next', title: 'Next.js + Auth.js v5', defaultPort: 3000 },
  express: {
    name: 'example-express-passport',
    folder: 'express-passport',
    title: 'Express 5 + Passport',
    defaultPort: 3001,
  },
  nest: { name: 'example-nest', folder: 'nest', title: 'NestJS + QontoModule', defaultPort: 3002 },
  betterAuth: {
    name: 'example-better-auth',
    folder: 'better-auth',
    title: 'Hono + Better Auth + SQLite',
    defaultPort: 3003,
  },
} as const satisfies Record<string, SampleApp>;

/** A sample app running on a free port of localhost. */
export interface RunningApp {
  url: string;
  process: GroupProcess;
}

/**
 * Starts an app the way a developer does (`pnpm start` in its folder, after the build turbo ran first), on a free
 * port, pointed at the emulator at `sandboxUrl` through `QONTO_SANDBOX_URL` (so it uses the demo client), with
 * `env` added to its environment, and resolves once it answers.
 */
export async function startSampleApp(
  app: SampleApp,
  sandboxUrl: string,
  env: Record<string, string> = {},
): Promise<RunningApp> {
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const proc = spawnGroup('pnpm', ['run', '--silent', 'start'], {
    cwd: join(repoRoot, 'apps', app.folder),
    env: cleanEnv({ PORT: String(port), QONTO_SANDBOX_URL: sandboxUrl, ...env }),
  });
  try {
    await waitForHttp(url, proc);
  } catch (error) {
    await proc.stop();
    throw error;
  }
  return { url, process: proc };
}
