import {
  type CanActivate,
  type ExecutionContext,
  ForbiddenException,
  Inject,
  Injectable,
} from '@nestjs/common';
import { QONTO_OPTIONS, type ResolvedQontoOptions } from '@qonto-oauth/nestjs';
import type { Request } from 'express';

/** The `code` of the 403 this guard raises; `HtmlErrorFilter` titles the page by it. */
export const CROSS_ORIGIN = 'cross_origin';

/** The origin a header names (`Origin` itself, or a `Referer` URL's), or `undefined` when it names none. */
function originOf(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return URL.canParse(value) ? new URL(value).origin : undefined;
}

/**
 * Lets a state-changing POST through only when a page of this app sent it (against cross-site request forgery):
 * its `Origin`, or without one its `Referer`, must be the app's own origin, the origin of the callback URL it is
 * configured with. Never the `Host` header: a client or a proxy sets that, and two instances of the app behind one
 * address would each see their own. A request with neither header is refused (browsers send `Origin` with every
 * POST), with a 403 whose page names nothing from the request.
 */
@Injectable()
export class SameOriginGuard implements CanActivate {
  readonly #origin: string;

  constructor(@Inject(QONTO_OPTIONS) options: ResolvedQontoOptions) {
    this.#origin = new URL(options.redirectUri).origin;
  }

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    const origin = request.get('origin');
    const from = origin === undefined ? originOf(request.get('referer')) : originOf(origin);
    if (from === this.#origin) return true;
    throw new ForbiddenException({
      code: CROSS_ORIGIN,
      message:
        `The app only accepts this button from its own pages, at ${this.#origin}. Another site may have tried to ` +
        `press it for you, or the app was opened at another address: open ${this.#origin} and try again. Nothing ` +
        'was changed.',
    });
  }
}
