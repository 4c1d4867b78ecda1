import { type NextRequest, NextResponse } from 'next/server';
import { auth } from './auth';
import { crossOriginPage, isSameOrigin } from './lib/same-origin';

/**
 * Refuses a server action posted from another site (see `lib/same-origin.ts`). Then, for `/`, runs the session
 * (and so the token rotation of the `jwt` callback) before the page renders, where the rotated cookie can still be
 * written: a Server Component can read cookies but not set them, and a rotation lost there leaves a dead refresh
 * token once Qonto's 60 s grace period is over (see @qonto-oauth/next-auth's README).
 *
 * The page in this same request would still read the old cookie, so the new session cookies also replace the old
 * ones in the request the page sees: the page then has the fresh access token without rotating a second time.
 */
export async function proxy(request: NextRequest): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    // Every POST to a page is a server action (Connect, Refresh tokens, Disconnect, Sign out): refused unless a page
    // of this app sent it, by the app's configured origin (Next.js's own check trusts the Host header).
    if (!isSameOrigin(request.headers)) return crossOriginPage();
    // The actions run the session themselves through `unstable_update`, which writes the cookie: a second rotation
    // here would race with theirs for the same Set-Cookie.
    return NextResponse.next();
  }
  if (request.nextUrl.pathname !== '/') return NextResponse.next();
  // `auth(request)` is next-auth's inline-proxy form: it answers "continue", with the session's Set-Cookie.
  const session = await (auth as unknown as (req: NextRequest) => Promise<Response>)(request);
  const setCookies = session.headers.getSetCookie();
  if (setCookies.length === 0) return session;
  for (const line of setCookies) {
    const [pair = '', ...attributes] = line.split(';');
    const at = pair.indexOf('=');
    const name = pair.slice(0, at).trim();
    const cleared = attributes.some(
      (a) => /^\s*max-age=0\s*$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a),
    );
    if (cleared) request.cookies.delete(name);
    else request.cookies.set(name, decodeURIComponent(pair.slice(at + 1).trim()));
  }
  const next = NextResponse.next({ request: { headers: request.headers } });
  for (const line of setCookies) next.headers.append('set-cookie', line);
  return next;
}

export const config = {
  /** The pages: `/` calls Qonto; both have server actions. */
  matcher: ['/', '/auth/error'],
};
