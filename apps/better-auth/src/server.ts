import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { type App, createApp } from './app.js';
import { serverSetupFromEnv } from './config.js';

const setup = await serverSetupFromEnv();
for (const note of setup.notes) console.log(note);

// Listens first, so that with PORT=0 the app's origin (Better Auth's baseURL, the callback's origin) names the port
// it really got; requests wait until the database is migrated and the app is ready.
let ready: (app: App) => void = () => {};
const app = new Promise<App>((resolve) => (ready = resolve));
const server = serve({ fetch: async (request) => (await app).fetch(request), port: setup.port });
await once(server, 'listening');
const { port } = server.address() as AddressInfo;
const followsPort = setup.port === 0 && !process.env.BETTER_AUTH_URL;
ready(await createApp(followsPort ? { ...setup.config, baseURL: `http://localhost:${port}` } : setup.config));
console.log(`example-better-auth on http://localhost:${port}`);

async function stop(): Promise<void> {
  server.close();
  (await app).close();
  await setup.emulator?.close();
  process.exit(0);
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
