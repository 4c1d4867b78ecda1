import type { NextFunction, Request, Response } from 'express';
import { errorPage } from './views.js';

/** The origin a header names (`Origin` itself, or a `Referer` URL's), or `undefined` when it names none. */
function originOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    return new URL(value).origin;
  } catch {
    return undefined;
  }
}

/**
 * Refuses a state-changing POST that a page of another site could have sent (cross-site request forgery): its
 * `Origin`, or without one its `Referer`, must be `appOrigin`, this app's own origin as its configuration says
 * (the origin of its callback URL). Never the `Host` header: a client or a proxy sets that, and two instances of
 * the app behind one address would each see their own. A request with neither header is refused too (browsers send
 * `Origin` with every POST). The answer is a readable 403 page that names nothing from the request.
 */
export function sameOriginOnly(appOrigin: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const origin = req.get('origin');
    const from = origin === undefined ? originOf(req.get('referer')) : originOf(origin);
    if (from === appOrigin) {
      next();
      return;
    }
    res
      .status(403)
      .type('html')
      .send(
        errorPage({
          title: 'This request did not come from this app',
          message:
            `The app only accepts this button from its own pages, at ${appOrigin}. Another site may have tried to ` +
            `press it for you, or the app was opened at another address: open ${appOrigin} and try again. Nothing ` +
            'was changed.',
        }),
      );
  };
}
