/**
 * A browser for the tests: fetch with a cookie jar, redirects not followed unless asked, so each hop is visible
 * (the 302 to Qonto, the callback, the page it ends on).
 */
export class Browser {
  readonly jar = new Map<string, { value: string; attributes: string }>();

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.jar.size > 0) {
      headers.set('cookie', [...this.jar].map(([name, { value }]) => `${name}=${value}`).join('; '));
    }
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...rest] = line.split(';');
      const name = pair.slice(0, pair.indexOf('=')).trim();
      const value = pair.slice(pair.indexOf('=') + 1).trim();
      const attributes = rest.join(';');
      if (value === '' || /expires=thu, 01 jan 1970/i.test(attributes)) this.jar.delete(name);
      else this.jar.set(name, { value, attributes });
    }
    return response;
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
