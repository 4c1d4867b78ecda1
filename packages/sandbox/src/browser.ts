/** A cookie as {@link createCookieJarFetch} keeps it: the value, and the attributes as the server sent them. */
export interface JarCookie {
  value: string;
  /** Everything after the `name=value` pair, e.g. `; Path=/; HttpOnly; SameSite=Lax`. */
  attributes: string;
}

/** `fetch` with a cookie jar; see {@link createCookieJarFetch}. */
export interface CookieJarFetch {
  (input: string | URL, init?: RequestInit): Promise<Response>;
  /** The jar, by cookie name: read it in assertions, or delete a cookie as a user clearing it would. */
  readonly cookies: Map<string, JarCookie>;
}

/**
 * A browser's cookie handling over `fetch`, for tests that drive an app (and the emulator's pages) over HTTP:
 * sends the jar's cookies, stores the `Set-Cookie` answers, forgets a cookie set empty, with `Max-Age=0` or with
 * an `Expires` in the past, and never follows a redirect (`redirect: 'manual'`), so the test sees every hop.
 *
 * One jar for every host, keyed by name alone: enough for an app and the emulator on loopback, whose cookie names
 * differ. Paths, domains and `Secure` are not modelled.
 *
 * @example
 * const browse = createCookieJarFetch()
 * const start = await browse(`${app}/auth/qonto`)          // 302 to the emulator, state cookie kept
 * const callback = await completeAuthorization(start.headers.get('location')!, sandbox.users[0]!)
 * await browse(callback)                                   // the app's callback gets the state cookie
 * expect(browse.cookies.has('session')).toBe(true)
 */
export function createCookieJarFetch(): CookieJarFetch {
  const cookies = new Map<string, JarCookie>();
  const jarFetch = async (input: string | URL, init: RequestInit = {}): Promise<Response> => {
    const headers = new Headers(init.headers);
    if (cookies.size > 0) {
      headers.set('cookie', [...cookies].map(([name, { value }]) => `${name}=${value}`).join('; '));
    }
    const response = await fetch(input, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) storeCookie(cookies, line);
    return response;
  };
  return Object.assign(jarFetch, { cookies });
}

function storeCookie(cookies: Map<string, JarCookie>, line: string): void {
  const separator = line.indexOf(';');
  const pair = separator === -1 ? line : line.slice(0, separator);
  const attributes = separator === -1 ? '' : line.slice(separator);
  const eq = pair.indexOf('=');
  if (eq <= 0) return;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  if (value === '' || isExpired(attributes)) cookies.delete(name);
  else cookies.set(name, { value, attributes });
}

function isExpired(attributes: string): boolean {
  return attributes.split(';').some((attribute) => {
    const eq = attribute.indexOf('=');
    const key = attribute
      .slice(0, eq === -1 ? undefined : eq)
      .trim()
      .toLowerCase();
    const value = eq === -1 ? '' : attribute.slice(eq + 1).trim();
    if (key === 'max-age') return Number(value) <= 0;
    if (key === 'expires') return Date.parse(value) <= Date.now();
    return false;
  });
}

/** One answer as a browser sees it before following anything. */
export interface BrowserAnswer {
  status: number;
  location: string | null;
  html: string;
}

/**
 * A minimal browser for the emulator's pages: {@link createCookieJarFetch}'s jar and manual redirects, asking for
 * HTML. GET, or POST of a form.
 */
export function createBrowser(): (url: string, form?: Record<string, string>) => Promise<BrowserAnswer> {
  const browse = createCookieJarFetch();
  return async (url, form) => {
    const headers: Record<string, string> = { Accept: 'text/html' };
    if (form) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const response = await browse(url, {
      method: form ? 'POST' : 'GET',
      headers,
      body: form ? new URLSearchParams(form).toString() : null,
    });
    return {
      status: response.status,
      location: response.headers.get('location'),
      html: await response.text(),
    };
  };
}
