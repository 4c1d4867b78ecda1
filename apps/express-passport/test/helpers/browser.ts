/**
 * A tiny browser for acceptance tests: fetch with a cookie jar and no automatic redirects, so each test sees every
 * hop (the 302 to Qonto, the callback, the page it ends on).
 */
export class TestBrowser {
  readonly #cookies = new Map<string, string>();

  /** GET or POST `url` with the jar's cookies; records the cookies the answer sets. Redirects are not followed. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const name = pair.slice(0, at).trim();
      const expired = attributes.some(
        (a) => /^\s*expires=thu, 01 jan 1970/i.test(a) || /^\s*max-age=0\b/i.test(a),
      );
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, pair.slice(at + 1).trim());
    }
    return response;
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
    return this.#cookies.has(name);
  }
}
