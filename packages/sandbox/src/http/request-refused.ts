/**
 * A request refused before any route looked at it (a body too large, in an unknown charset or encoding, or not
 * parseable; a path segment that is not valid percent-encoding). `status` is a 4xx: the client's fault, answered
 * in the error shape of the endpoint it called.
 */
export class RequestRefusedError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'RequestRefusedError';
  }
}
