// `pnpm start`: runs the built app with `next start`, and the Qonto sandbox emulator beside it when the app has no
// Qonto credentials. The emulator runs in this process, never inside Next's: Next's server is a separate process.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const appDir = fileURLToPath(new URL('..', import.meta.url));
const env = { ...process.env };
env.NEXT_TELEMETRY_DISABLED ??= '1';
const set = (name) => typeof env[name] === 'string' && env[name].trim() !== '';

const port = set('PORT') ? env.PORT.trim() : '3000';
if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) {
  console.error(`PORT must be a port number (0-65535), not ${JSON.stringify(env.PORT)}.`);
  process.exit(1);
}
// The app reads it too: without AUTH_URL, its own origin (which server actions must come from) is localhost:PORT.
env.PORT = port;
if (!existsSync(`${appDir}.next/BUILD_ID`)) {
  console.error('example-next is not built: run `pnpm --filter example-next build` first.');
  process.exit(1);
}

/** The emulator started here, if any: stopped when Next stops. */
let emulator;
const demo = !set('AUTH_QONTO_ID') && !set('QONTO_CLIENT_ID');
if (demo) {
  if (set('QONTO_SANDBOX_URL')) {
    console.log(
      `No AUTH_QONTO_ID/QONTO_CLIENT_ID: the demo client of the emulator at ${env.QONTO_SANDBOX_URL}.`,
    );
  } else {
    const { startDemoSandbox } = await import('@qonto-oauth/sandbox');
    emulator = await startDemoSandbox({
      log: (line) => console.log(`No AUTH_QONTO_ID/QONTO_CLIENT_ID nor QONTO_SANDBOX_URL: ${line}.`),
    });
    env.QONTO_SANDBOX_URL = emulator.url;
  }
  if (!set('AUTH_SECRET')) {
    // Demo mode only: a real app must keep its secret across restarts, or every restart signs everybody out.
    env.AUTH_SECRET = randomBytes(32).toString('base64url');
    console.log('Demo mode: AUTH_SECRET is random for this start (sessions end when the app restarts).');
  }
} else if (!set('AUTH_SECRET')) {
  console.error(
    'AUTH_SECRET is not set: Auth.js encrypts the session with it. Generate one with `openssl rand -base64 33`.',
  );
  process.exit(1);
}
if (!set('AUTH_URL') && !set('AUTH_TRUST_HOST')) {
  // `next start` runs in production mode, where Auth.js trusts the Host header only when told to. Behind a proxy
  // you do not control, set AUTH_URL to the public origin instead.
  env.AUTH_TRUST_HOST = 'true';
}

const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
const next = spawn(process.execPath, [nextBin, 'start', '--port', port], {
  cwd: appDir,
  env,
  stdio: 'inherit',
});

let stopping = false;
function stop(signal) {
  if (stopping) return;
  stopping = true;
  next.kill(signal);
}
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
next.on('exit', async (code, signal) => {
  await emulator?.close();
  process.exit(code ?? (signal ? 0 : 1));
});
