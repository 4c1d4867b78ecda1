import { CookieJar } from './cookie-jar.js';

/** How a request reaches the app: `Auth()` in memory (Auth.js v5) or `fetch` over HTTP (NextAuth v4). */
export type Transport = (request: Request) => Promise<Response>;

/**
 * A browser on one app: keeps its cookies between requests and drives the framework's own sign-in flow
 * (CSRF token, sign-in POST, callback, session), without following redirects.
 */
export class Browser {
  readonly cookies = new CookieJar();

  constructor(
    readonly origin: string,
    readonly basePath: string,
    readonly transport: Transport,
  ) {}

  async request(
    pathOrUrl: string,
    init: { method?: string; form?: Record<string, string> } = {},
  ): Promise<Response> {
    const headers = new Headers();
    const cookie = this.cookies.header();
    if (cookie !== '') headers.set('cookie', cookie);
    let body: URLSearchParams | undefined;
    if (init.form !== undefined) {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      body = new URLSearchParams(init.form);
    }
    const request = new Request(new URL(pathOrUrl, this.origin), {
      method: init.method ?? 'GET',
      headers,
      body,
      redirect: 'manual',
    });
    const response = await this.transport(request);
    this.cookies.store(response);
    return response;
  }

  /** Clicks "Sign in with …": returns where the app sends the browser (Qonto's authorize URL). */
  async startSignIn(providerId: string): Promise<string> {
    const { csrfToken } = (await (await this.request(`${this.basePath}/csrf`)).json()) as {
      csrfToken: string;
    };
    const response = await this.request(`${this.basePath}/signin/${providerId}`, {
      method: 'POST',
      form: { csrfToken, callbackUrl: `${this.origin}/dashboard` },
    });
    const location = response.headers.get('location');
    if (response.status !== 302 || location === null) {
      throw new Error(`sign-in did not redirect: ${response.status} ${await response.text()}`);
    }
    return location;
  }

  /** Follows the provider's redirect back to the app's callback; returns the app's answer (a redirect). */
  callback(callbackUrl: string): Promise<Response> {
    return this.request(callbackUrl);
  }

  /** The session as the client sees it (`null` or `{}` when signed out, depending on the framework). */
  async session(): Promise<Record<string, unknown> | null> {
    const response = await this.request(`${this.basePath}/session`);
    const session = (await response.json()) as Record<string, unknown> | null;
    return session !== null && Object.keys(session).length > 0 ? session : null;
  }
}

/** A transport for an app served over HTTP. */
export const overHttp: Transport = (request) => fetch(request, { redirect: 'manual' });
