/** One answer as a browser sees it before following anything. */
export interface BrowserAnswer {
  status: number;
  location: string | null;
  html: string;
}

/**
 * A minimal browser over `fetch`: a cookie jar (the emulator's cookies are plain name=value pairs) and no
 * automatic redirects, so the caller decides which `Location` to follow. GET, or POST of a form.
 */
export function createBrowser(): (url: string, form?: Record<string, string>) => Promise<BrowserAnswer> {
  const cookies = new Map<string, string>();
  return async (url, form) => {
    const headers: Record<string, string> = { Accept: 'text/html' };
    if (cookies.size > 0) headers.Cookie = [...cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (form) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      headers,
      body: form ? new URLSearchParams(form).toString() : null,
      redirect: 'manual',
    });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair = ''] = cookie.split(';');
      const index = pair.indexOf('=');
      if (index > 0) cookies.set(pair.slice(0, index).trim(), pair.slice(index + 1).trim());
    }
    return {
      status: response.status,
      location: response.headers.get('location'),
      html: await response.text(),
    };
  };
}
