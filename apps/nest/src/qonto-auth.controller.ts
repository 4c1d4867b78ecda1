import { Controller, Get, Inject, Req, Res, UseGuards } from '@nestjs/common';
import {
  QONTO_OPTIONS,
  QontoAuthGuard,
  QontoUser,
  type ResolvedQontoOptions,
  type TokenSet,
} from '@qonto-oauth/nestjs';
import type { Request, Response } from 'express';
import { LoginSessions } from './login-sessions.js';

/**
 * "Connect with Qonto": `QontoAuthGuard` on both routes. `/auth/qonto` redirects to Qonto (state and PKCE in the
 * package's sealed cookie); Qonto redirects back to `/auth/qonto/callback`, where the guard checks the state,
 * exchanges the code and loads the profile. Errors (declined consent, tampered state, Qonto's own) reach
 * `HtmlErrorFilter` as HTTP exceptions.
 */
@Controller('auth/qonto')
export class QontoAuthController {
  constructor(
    @Inject(LoginSessions) private readonly sessions: LoginSessions,
    @Inject(QONTO_OPTIONS) private readonly options: ResolvedQontoOptions,
  ) {}

  @Get()
  @UseGuards(QontoAuthGuard)
  login(): void {}

  @Get('callback')
  @UseGuards(QontoAuthGuard)
  async callback(
    @QontoUser('tokens') tokens: TokenSet,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    // The profile is not kept: /me reads the member and organization live, so it always shows Qonto's current data.
    // Secure whenever the app is served over https, as its registered callback says.
    const secure = this.options.redirectUri?.startsWith('https:') === true;
    await this.sessions.start(req, res, tokens, secure);
    res.redirect(303, '/me');
  }
}
