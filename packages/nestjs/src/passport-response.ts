import type { ServerResponse } from 'node:http';

/**
 * The members of Node's `ServerResponse` that passport (its `redirect`: `statusCode`, `setHeader`, `end`) and
 * {@link QontoStateCookieStore} (`getHeader`, `setHeader` for `Set-Cookie`) write with. Express's response is one.
 */
export interface PassportResponse {
  statusCode: number;
  getHeader(name: string): ReturnType<ServerResponse['getHeader']>;
  setHeader(name: string, value: number | string | readonly string[]): unknown;
  end(): unknown;
}

/** What this file uses of Fastify's `FastifyReply` (Nest's Fastify adapter hands it to guards). */
interface FastifyReplyLike {
  statusCode: number;
  code(status: number): unknown;
  header(name: string, value: unknown): unknown;
  getHeader(name: string): ReturnType<ServerResponse['getHeader']>;
  removeHeader(name: string): unknown;
  send(payload?: unknown): unknown;
}

function isFastifyReply(value: unknown): value is FastifyReplyLike {
  if (typeof value !== 'object' || value === null) return false;
  const reply = value as Partial<Record<keyof FastifyReplyLike | 'setHeader', unknown>>;
  return (
    typeof reply.setHeader !== 'function' &&
    ['code', 'header', 'getHeader', 'removeHeader', 'send'].every(
      (name) => typeof reply[name as keyof FastifyReplyLike] === 'function',
    )
  );
}

/**
 * A `FastifyReply` behind the `ServerResponse` members passport and the state cookie store use, so what they write
 * (the redirect to Qonto, the state cookie) is sent by Fastify with the rest of the reply.
 */
function replyAsResponse(reply: FastifyReplyLike): PassportResponse {
  return {
    get statusCode() {
      return reply.statusCode;
    },
    set statusCode(status: number) {
      reply.code(status);
    },
    getHeader: (name) => reply.getHeader(name),
    setHeader(name, value) {
      // Fastify's `header('set-cookie', …)` appends; Node's `setHeader` replaces.
      reply.removeHeader(name);
      reply.header(name, value);
      return this;
    },
    end: () => reply.send(),
  };
}

/**
 * The response `QontoAuthGuard` hands passport: Express's as is; on Fastify, the reply seen as a
 * {@link PassportResponse}, also set as `request.res` (where Express keeps it), where the state cookie store looks.
 */
export function responseForPassport(request: object, response: unknown): unknown {
  if (!isFastifyReply(response)) return response;
  const current = (request as { res?: unknown }).res;
  if (current !== undefined) return current;
  const adapted = replyAsResponse(response);
  Object.defineProperty(request, 'res', { value: adapted, configurable: true });
  return adapted;
}
