import { ServerResponse } from 'node:http';
import type { Grant } from '../oauth/grants.js';
import type { SandboxRequest } from '../types.js';
import type { HttpRequest } from './request.js';

/** What the steps before a route learned about the request, for the route and the answer. */
export interface RequestLocals {
  /** The request's entry in `sandbox.requests` (the token endpoint adds how the client authenticated). */
  record?: SandboxRequest;
  /** The gateway trace id of the answer. */
  traceId?: string;
  /** The grant behind the bearer token, once the Business API checked it. */
  grant?: Grant;
}

/** Node's response, with the {@link RequestLocals} of its request. */
export class HttpResponse extends ServerResponse<HttpRequest> {
  readonly locals: RequestLocals = {};
}
