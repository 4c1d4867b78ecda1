import { createApp } from './app.js';
import { serverSetupFromEnv } from './config.js';

const setup = await serverSetupFromEnv();
for (const note of setup.notes) console.log(note);
const app = createApp(setup.config);
const server = app.listen(setup.port, () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : setup.port;
  console.log(`example-express-passport on http://localhost:${port}`);
});

async function stop(): Promise<void> {
  server.close();
  await Promise.all([setup.emulator?.close(), setup.stores.close()]);
  process.exit(0);
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
