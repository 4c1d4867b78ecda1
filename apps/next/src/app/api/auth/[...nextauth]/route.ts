import type { NextRequest } from 'next/server';
import { handlers, SIGN_IN_ERROR_PAGE } from '@/auth';
import { withAuthRequestContext } from '@/lib/auth-request-context';
import { safeCode, withFailureCode } from '@/lib/sign-in-failure';

type Handler = (request: NextRequest) => Promise<Response>;

/**
 * Auth.js's handlers, plus the cause of a failed sign-in on the redirect to the error page: Auth.js sends every
 * token-endpoint failure there as `?error=Configuration`, while the fix differs (a staging token, the other
 * environment's credentials…), and a denied consent as `?error=OAuthCallbackError`. `failure` is a short code
 * (sign-in-failure.ts), never a message; a callback whose state Auth.js refused gets `invalid_state`, whatever its
 * query says.
 */
function withSignInFailure(handler: Handler): Handler {
  return async (request) => {
    const [response, context] = await withAuthRequestContext(() => handler(request));
    const location = response.headers.get('location');
    if (location === null) return response;
    // Qonto's own `error=` on the callback (`access_denied`: the user denied consent), read only when Auth.js says
    // OAuthCallbackError: it raises that after checking the state, so a forged callback's error= never gets here.
    const fromQonto =
      request.nextUrl.pathname.endsWith('/callback/qonto') &&
      new URL(location, request.url).searchParams.get('error') === 'OAuthCallbackError'
        ? safeCode(request.nextUrl.searchParams.get('error'))
        : undefined;
    const target = withFailureCode(
      location,
      request.url,
      fromQonto ?? context.signInFailure,
      SIGN_IN_ERROR_PAGE,
    );
    if (target === location) return response;
    const headers = new Headers(response.headers);
    headers.set('location', target);
    return new Response(response.body, { status: response.status, headers });
  };
}

/** Auth.js's GET and POST endpoints (`/api/auth/*`), with the sign-in failure's cause added. */
export const GET = withSignInFailure(handlers.GET);
/** See {@link GET}. */
export const POST = withSignInFailure(handlers.POST);
