type Env = Record<string, string | undefined>;

/**
 * This app's own origin, from its configuration: `AUTH_URL` (the public URL Auth.js builds its callback from)
 * when set, else `http://localhost:$PORT` as the start script serves it. Never the `Host` header: a client or a
 * proxy sets that, and two instances of the app behind one address would each see their own.
 */
export function appOrigin(env: Env = process.env): string {
  const url = env.AUTH_URL?.trim();
  if (url && URL.canParse(url)) return new URL(url).origin;
  const port = env.PORT?.trim() || '3000';
  return `http://localhost:${port}`;
}

/** The origin a header names (`Origin` itself, or a `Referer` URL's), or `undefined` when it names none. */
function originOf(value: string | null): string | undefined {
  return value !== null && URL.canParse(value) ? new URL(value).origin : undefined;
}

/**
 * Whether a state-changing request (a server action's POST) was sent by a page of this app: its `Origin`, or without
 * one its `Referer`, is {@link appOrigin}. A request with neither is refused (browsers send `Origin` with every
 * POST). Next.js's own check compares `Origin` with the `Host` header, which this one does not trust.
 */
export function isSameOrigin(headers: Headers, env: Env = process.env): boolean {
  const origin = headers.get('origin');
  const from = origin === null ? originOf(headers.get('referer')) : originOf(origin);
  return from === appOrigin(env);
}

/** The readable 403 page for a refused request; it names nothing from the request. */
export function crossOriginPage(env: Env = process.env): Response {
  const origin = appOrigin(env).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>This request did not come from this app</title>
<style>body{font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem;color:#1d1d1b}</style>
</head>
<body>
<main>
<h1>This request did not come from this app</h1>
<p>The app only accepts its buttons from its own pages, at ${origin}. Another site may have tried to press one for
you, or the app was opened at another address: open <a href="${origin}/">${origin}</a> and try again. Nothing was
changed.</p>
</main>
</body>
</html>
`;
  return new Response(html, { status: 403, headers: { 'content-type': 'text/html; charset=utf-8' } });
}
