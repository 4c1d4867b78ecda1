import { createCookieJarFetch } from '@qonto-oauth/sandbox/testing';

/**
 * A browser for the tests: fetch with a cookie jar, redirects not followed unless asked, so each hop is visible
 * (the 302 to Qonto, the callback, the page it ends on).
 */
export class Browser {
  readonly #fetch = createCookieJarFetch();
  /** The cookies by name, with their attributes as the app set them. */
  readonly jar = this.#fetch.cookies;

  request(url: string, init: RequestInit = {}): Promise<Response> {
    return this.#fetch(url, init);
  }

  /**
   * Submits a form of the app's own page to `url` as a browser does, a POST with the page's `Origin`, and follows
   * the redirects; `origin` plays another site's page.
   */
  post(url: string, o: { origin?: string } = {}): Promise<{ url: string; status: number; html: string }> {
    return this.open(url, { method: 'POST', headers: { Origin: o.origin ?? new URL(url).origin } });
  }

  /** Requests `url` and follows redirects; the final URL, status and HTML. */
  async open(url: string, init: RequestInit = {}): Promise<{ url: string; status: number; html: string }> {
    let current = url;
    let response = await this.request(current, init);
    for (let hop = 0; hop < 10 && response.status >= 300 && response.status < 400; hop++) {
      await response.body?.cancel();
      current = new URL(response.headers.get('location') ?? '', current).href;
      response = await this.request(current);
    }
    return { url: current, status: response.status, html: await response.text() };
  }
}
