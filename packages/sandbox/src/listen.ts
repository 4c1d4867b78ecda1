import { createServer, type Server } from 'node:http';
import { HttpRequest } from './http/request.js';
import { HttpResponse } from './http/response.js';

/** The port the emulator could not listen on, already taken by another process. */
export class PortInUseError extends Error {
  readonly code = 'EADDRINUSE';
  constructor(
    readonly port: number,
    readonly host: string,
  ) {
    super(
      `Port ${port} on ${host} is already in use: stop what uses it, or start the emulator on another port (port 0 picks a free one).`,
    );
    this.name = 'PortInUseError';
  }
}

/** Starts an HTTP/1.1 server (the gate needs raw header casing, which HTTP/2 loses) and waits until it listens. */
export function listen(
  handler: (req: HttpRequest, res: HttpResponse) => Promise<void>,
  port: number,
  host: string,
): Promise<Server<typeof HttpRequest, typeof HttpResponse>> {
  return new Promise((resolve, reject) => {
    const server = createServer(
      { IncomingMessage: HttpRequest, ServerResponse: HttpResponse },
      (req, res) => {
        // The handler answers its own errors; this catches one that happened while answering one.
        handler(req, res).catch(() => res.destroy());
      },
    );
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port, host) : error);
    });
    server.listen(port, host, () => resolve(server));
  });
}
