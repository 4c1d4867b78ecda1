/**
 * A request refused before any route looked at it: its body (too large, in an unknown charset or encoding, or not
 * parseable) or its path (a segment that is not valid percent-encoding). `status` is a 4xx: the client's fault,
 * answered in the error shape of the endpoint it called.
 */
export class RequestRefusedError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly part: 'body' | 'path' = 'body',
  ) {
    super(message);
    this.name = 'RequestRefusedError';
  }
}
