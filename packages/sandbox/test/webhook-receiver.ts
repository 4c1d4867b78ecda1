import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

/** One POST the receiver got: the raw header names and values, and the raw body. */
export interface ReceivedWebhook {
  rawHeaders: string[];
  signature: string | undefined;
  body: string;
}

/**
 * An app's webhook endpoint on loopback: records every request, and answers each with the next of `answers`
 * (a status, or `'hang'` to never answer), then 200. Closed after the test.
 */
export async function startReceiver() {
  const received: ReceivedWebhook[] = [];
  const answers: (number | 'hang')[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({
        rawHeaders: req.rawHeaders,
        signature: req.headers['x-qonto-signature'] as string,
        body,
      });
      const answer = answers.shift() ?? 200;
      if (answer === 'hang') hanging.push(res);
      else res.writeHead(answer).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const receiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/qonto`,
    received,
    answers,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  open.push(receiver);
  return receiver;
}

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((r) => r.close()));
});
