import { createCookieJarFetch } from '@qonto-oauth/sandbox/testing';

/**
 * A small browser for the acceptance tests: fetch with a cookie jar and no automatic redirects (each hop is
 * visible), and the no-JavaScript form submission of Next.js server actions.
 */
export class TestBrowser {
  readonly #jar = createCookieJarFetch();

  constructor(readonly origin: string) {}

  /**
   * Sends `url` (absolute, or a path of the app) without following redirects. The jar's cookies go to the app
   * only, and only the app's answers fill it: another origin (the emulator) gets a request without cookies.
   */
  fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const target = new URL(url, this.origin);
    return target.origin === this.origin
      ? this.#jar(target, init)
      : fetch(target, { ...init, redirect: 'manual' });
  }

  /** Follows redirects within the app and returns where it ended, with the page. */
  async follow(url: string, init: RequestInit = {}): Promise<{ url: URL; status: number; body: string }> {
    let current = new URL(url, this.origin);
    let response = await this.fetch(current.href, init);
    for (let hop = 0; hop < 10 && response.status >= 300 && response.status < 400; hop++) {
      await response.body?.cancel();
      current = new URL(response.headers.get('location') ?? '', current);
      if (current.origin !== this.origin) break;
      response = await this.fetch(current.href);
    }
    return { url: current, status: response.status, body: await response.text() };
  }

  /**
   * Clicks the button labelled `label` on the page at `path` as a browser without JavaScript would: posts its
   * form (a server action) as multipart form data, with the page's Origin header. `headers` replaces it, to play
   * another site's page posting the same form. Returns the answer (a 303 for a server action that redirects), not
   * followed.
   */
  async submit(
    path: string,
    label: string,
    headers: Record<string, string> = { origin: this.origin },
  ): Promise<Response> {
    const page = await (await this.fetch(path)).text();
    const form = [...page.matchAll(/<form\b[^>]*>([\s\S]*?)<\/form>/g)].find(([, inner]) =>
      (inner ?? '').includes(`>${label}</button>`),
    );
    if (form === undefined) throw new Error(`no button "${label}" on ${path}:\n${page.slice(0, 2000)}`);
    const data = new FormData();
    for (const [, name, value] of (form[1] ?? '').matchAll(
      /<input type="hidden" name="([^"]+)"(?: value="([^"]*)")?/g,
    )) {
      data.append(name as string, value ?? '');
    }
    return this.fetch(path, { method: 'POST', body: data, headers });
  }

  /** The value of cookie `name`, if the jar holds it. */
  cookie(name: string): string | undefined {
    return this.#jar.cookies.get(name)?.value;
  }

  /** The names of every cookie in the jar. */
  cookieNames(): string[] {
    return [...this.#jar.cookies.keys()];
  }
}
