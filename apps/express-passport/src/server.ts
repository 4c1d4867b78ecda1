import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import { createApp } from './app.js';
import { portFrom, serverSetupFromEnv } from './config.js';

// Listens first, so that with PORT=0 the app's origin (its default callback URL, which the same-origin check of its
// forms also compares against) names the port it really got; requests wait until the app is built.
let ready: (app: Express) => void = () => {};
const app = new Promise<Express>((resolve) => (ready = resolve));
const server = createServer((req, res) => void app.then((handle) => handle(req, res)));
server.listen(portFrom(process.env.PORT));
await once(server, 'listening');
const { port } = server.address() as AddressInfo;

const setup = await serverSetupFromEnv({ ...process.env, PORT: String(port) });
for (const note of setup.notes) console.log(note);
ready(createApp(setup.config));
console.log(`example-express-passport on http://localhost:${port}`);

async function stop(): Promise<void> {
  server.close();
  await Promise.all([setup.emulator?.close(), setup.stores.close()]);
  process.exit(0);
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
