/** A browser's cookie jar, reduced to what an auth flow on one host needs: names, values and deletions. */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  /** Stores the `Set-Cookie` headers of a response; an empty value or `Max-Age=0` deletes the cookie. */
  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => {
        const [key = '', val = ''] = a.split('=').map((s) => s.trim());
        if (key.toLowerCase() === 'max-age') return Number(val) <= 0;
        if (key.toLowerCase() === 'expires') return Date.parse(val) <= Date.now();
        return false;
      });
      if (expired || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  /** The `Cookie` header to send. */
  header(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  names(): string[] {
    return [...this.#cookies.keys()];
  }

  /** Forgets the cookies whose name matches, as a user clearing them or a second tab would. */
  delete(predicate: (name: string) => boolean): void {
    for (const name of this.names()) if (predicate(name)) this.#cookies.delete(name);
  }
}
