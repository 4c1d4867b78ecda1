import { serve } from '@hono/node-server';
import { createApp } from './app.js';
import { serverSetupFromEnv } from './config.js';

const setup = await serverSetupFromEnv();
for (const note of setup.notes) console.log(note);
const app = await createApp(setup.config);
const server = serve({ fetch: app.fetch, port: setup.port }, (info) => {
  console.log(`example-better-auth on http://localhost:${info.port}`);
});

async function stop(): Promise<void> {
  server.close();
  app.close();
  await setup.emulator?.close();
  process.exit(0);
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
