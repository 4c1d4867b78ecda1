import { addRoute, createRouter, findRoute } from 'rou3';
import type { HttpRequest } from './request.js';
import { RequestRefusedError } from './request-refused.js';
import type { HttpResponse } from './response.js';

/**
 * One step of a route: a check, a body parser or the handler. A step that answers ends the route; one that
 * leaves the response open hands over to the next. Throwing (or rejecting) ends the route with an error answer.
 */
export type Step = (req: HttpRequest, res: HttpResponse) => void | Promise<void>;

interface Route {
  pattern: string;
  steps: Step[];
}

/** A route found for a request: its steps and its `:name` segments, decoded. */
export interface RouteMatch {
  steps: Step[];
  params: Record<string, string>;
}

const METHODS = ['DELETE', 'GET', 'POST'] as const;

function decodeParam(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new RequestRefusedError(
      400,
      `The path segment '${value}' is not valid percent-encoding: encode each segment with encodeURIComponent.`,
      'path',
    );
  }
}

/** Upper-case ASCII letters lowered, so the string keeps its length and its `/` positions. */
const lowerAscii = (path: string) => path.replace(/[A-Z]+/g, (run) => run.toLowerCase());

/**
 * The emulator's routes (on rou3, a radix-tree router). Paths match without regard to ASCII case and with one
 * trailing slash ignored, `:name` matches one segment, HEAD runs the GET route (Node sends no body), and
 * {@link allowedMethods} answers OPTIONS.
 */
export class Router {
  readonly #tree = createRouter<Route>();

  get(pattern: string, ...steps: Step[]): void {
    addRoute(this.#tree, 'GET', pattern, { pattern, steps });
  }

  post(pattern: string, ...steps: Step[]): void {
    addRoute(this.#tree, 'POST', pattern, { pattern, steps });
  }

  delete(pattern: string, ...steps: Step[]): void {
    addRoute(this.#tree, 'DELETE', pattern, { pattern, steps });
  }

  /** The route of `method` for `path` (raw, as in the request target), or undefined when none serves it. */
  find(method: string, path: string): RouteMatch | undefined {
    if (!path.startsWith('/')) return undefined;
    const lookup = method === 'HEAD' ? ['HEAD', 'GET'] : [method];
    for (const m of lookup) {
      const exact = findRoute(this.#tree, m, path);
      if (exact) return { steps: exact.data.steps, params: this.#decoded(exact.params) };
      const lowered = lowerAscii(path);
      const folded = lowered === path ? undefined : findRoute(this.#tree, m, lowered, { params: false });
      if (folded)
        return { steps: folded.data.steps, params: this.#paramsByPosition(folded.data.pattern, path) };
    }
    return undefined;
  }

  /** The methods some route serves at `path` (HEAD wherever GET is), sorted: what an OPTIONS request is told. */
  allowedMethods(path: string): string[] {
    const allowed = METHODS.filter((m) => this.find(m, path) !== undefined);
    return (allowed.includes('GET') ? [...allowed, 'HEAD'] : allowed).sort();
  }

  #decoded(params: Record<string, string> | undefined): Record<string, string> {
    const decoded: Record<string, string> = {};
    for (const [name, value] of Object.entries(params ?? {})) decoded[name] = decodeParam(value);
    return decoded;
  }

  /** The `:name` segments of `path` where `pattern` has them (the path matched the pattern once lower-cased). */
  #paramsByPosition(pattern: string, path: string): Record<string, string> {
    const names = pattern.split('/');
    const values = path.split('/');
    const params: Record<string, string> = {};
    names.forEach((name, i) => {
      if (name.startsWith(':')) params[name.slice(1)] = decodeParam(values[i] ?? '');
    });
    return params;
  }
}

/**
 * Runs `steps` in order until one answers. True when none did (the request goes on to what comes next), false once
 * the response was ended or destroyed (a request dropped unanswered).
 */
export async function runSteps(
  steps: readonly Step[],
  req: HttpRequest,
  res: HttpResponse,
): Promise<boolean> {
  for (const step of steps) {
    const pending = step(req, res);
    if (pending !== undefined) await pending;
    if (res.writableEnded || res.destroyed) return false;
  }
  return true;
}
