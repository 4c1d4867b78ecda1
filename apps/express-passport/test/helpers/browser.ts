import { createCookieJarFetch } from '@qonto-oauth/sandbox/testing';

/**
 * A tiny browser for acceptance tests: fetch with a cookie jar and no automatic redirects, so each test sees every
 * hop (the 302 to Qonto, the callback, the page it ends on).
 */
export class TestBrowser {
  readonly #fetch = createCookieJarFetch();

  /** GET or POST `url` with the jar's cookies; records the cookies the answer sets. Redirects are not followed. */
  fetch(url: string, init: RequestInit = {}): Promise<Response> {
    return this.#fetch(url, init);
  }

  /**
   * Submits a form of the app's own page to `url`, as a browser does: a POST with the page's `Origin` (the app's,
   * unless `origin` says otherwise), redirects not followed.
   */
  post(url: string, o: { origin?: string; headers?: Record<string, string> } = {}): Promise<Response> {
    return this.fetch(url, {
      method: 'POST',
      headers: { Origin: o.origin ?? new URL(url).origin, ...o.headers },
    });
  }

  /** Follows redirects within `origin` (the app) and returns the final answer with its URL and body. */
  async follow(url: string, init: RequestInit = {}): Promise<{ url: string; status: number; body: string }> {
    let current = url;
    let response = await this.fetch(current, init);
    for (let hops = 0; hops < 10 && response.status >= 300 && response.status < 400; hops++) {
      await response.body?.cancel();
      current = new URL(response.headers.get('location') ?? '', current).href;
      response = await this.fetch(current);
    }
    return { url: current, status: response.status, body: await response.text() };
  }

  /** Whether the jar holds a cookie named `name`. */
  has(name: string): boolean {
    return this.#fetch.cookies.has(name);
  }
}
