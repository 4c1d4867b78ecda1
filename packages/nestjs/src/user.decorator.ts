import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { QontoLogin } from './qonto.service.js';

/**
 * The Qonto login that `QontoAuthGuard` put on `req.user`: `@QontoUser()` gives the profile (`QontoProfile`),
 * `@QontoUser('tokens')` the `TokenSet`. `undefined` on a route without the guard.
 *
 * @example
 * \@Get('auth/qonto/callback') \@UseGuards(QontoAuthGuard)
 * callback(\@QontoUser() profile: QontoProfile, \@QontoUser('tokens') tokens: TokenSet) {}
 */
export const QontoUser: (part?: keyof QontoLogin) => ParameterDecorator = createParamDecorator(
  (part: keyof QontoLogin | undefined, context: ExecutionContext) => {
    const login = context.switchToHttp().getRequest<{ user?: Partial<QontoLogin> }>().user;
    return login?.[part ?? 'profile'];
  },
);
