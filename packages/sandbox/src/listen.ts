import { createServer, type RequestListener, type Server } from 'node:http';

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
export function listen(handler: RequestListener, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(handler);
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(port, host) : error);
    });
    server.listen(port, host, () => resolve(server));
  });
}
