import { IncomingMessage } from 'node:http';
import { parse } from 'node:querystring';

/** Query or form parameters: a string, or a list when the name was repeated (`status[]=a&status[]=b`). */
export type Params = Record<string, string | string[] | undefined>;

/**
 * A request as the emulator's routes read it: Node's own, plus its path and query (read from the target on first
 * use), the route's `:name` segments and the body a route parsed.
 */
export class HttpRequest extends IncomingMessage {
  /** The route's `:name` segments, percent-decoded. */
  params: Record<string, string> = {};
  /** The body of a route that reads one (a form, JSON or bytes); undefined for the others. */
  body: unknown = undefined;
  #path: string | undefined;
  #query: Params | undefined;

  /** The request target without its query, not decoded: what routes and injected faults match on. */
  get path(): string {
    if (this.#path === undefined) {
      const target = this.url ?? '/';
      const end = target.indexOf('?');
      // An absolute-form target (`GET http://host/path`) counts by its path, as in a proxy.
      this.#path = target.startsWith('/')
        ? end === -1
          ? target
          : target.slice(0, end)
        : (URL.parse(target)?.pathname ?? target);
    }
    return this.#path;
  }

  /** The query parameters, decoded like a form (`+` is a space). */
  get query(): Params {
    if (this.#query === undefined) {
      const target = this.url ?? '';
      const start = target.indexOf('?');
      this.#query = start === -1 ? {} : parse(target.slice(start + 1));
    }
    return this.#query;
  }

  /** A header's value, repeated ones joined by `, `; undefined when absent. */
  header(name: string): string | undefined {
    const value = this.headers[name.toLowerCase()];
    return Array.isArray(value) ? value.join(', ') : value;
  }
}
