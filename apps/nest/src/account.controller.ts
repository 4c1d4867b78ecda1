import {
  BadRequestException,
  Controller,
  Get,
  Inject,
  Post,
  Query,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import { isQontoError, type TokenSet } from '@qonto-oauth/core';
import { QONTO_OPTIONS, QontoService, type ResolvedQontoOptions } from '@qonto-oauth/nestjs';
import type { Request, Response } from 'express';
import { loadAccount } from './account.js';
import { type Login, LoginSessions } from './login-sessions.js';
import { SameOriginGuard } from './same-origin.guard.js';
import { accountPage, homePage } from './views.js';

const NOTICES: Record<string, string> = {
  disconnected: 'Disconnected: the consent was revoked at Qonto and this browser is signed out.',
  'signed-out': 'You are not connected: connect with Qonto to see your account.',
  refreshed: 'Tokens refreshed: Qonto issued a new access token and a new refresh token.',
};

/** The error means "this login is over": the consent was revoked, or the refresh token is no longer valid. */
function loginIsOver(error: unknown): boolean {
  if (!isQontoError(error)) return false;
  const e = error as { code: string; status?: number; reconnectRequired?: boolean };
  return (e.code === 'api' && e.status === 401) || (e.code === 'oauth' && e.reconnectRequired === true);
}

/** The home page, `/me`, and the two actions on a login: refresh (POST) and disconnect (POST), same-origin only. */
@Controller()
export class AccountController {
  constructor(
    @Inject(QontoService) private readonly qonto: QontoService,
    @Inject(LoginSessions) private readonly sessions: LoginSessions,
    @Inject(QONTO_OPTIONS) private readonly options: ResolvedQontoOptions,
  ) {}

  @Get()
  async home(@Req() req: Request, @Res() res: Response, @Query('notice') notice?: string): Promise<void> {
    if (await this.sessions.current(req)) return res.redirect(303, '/me');
    const { environment, endpoints } = this.options;
    const label =
      typeof environment === 'string' ? environment : `custom endpoints (${endpoints.apiBaseUrl})`;
    res.type('html').send(homePage({ notice: notice ? NOTICES[notice] : undefined, environment: label }));
  }

  @Get('me')
  async me(@Req() req: Request, @Res() res: Response, @Query('notice') notice?: string): Promise<void> {
    const login = await this.sessions.current(req);
    if (!login) return res.redirect(303, '/?notice=signed-out');
    // The API client refreshes an expired access token (or one the API answers 401 to) and saves the rotated set.
    const store = this.sessions.tokenStore;
    const view = await this.#endLoginIfOver(req, res, () =>
      loadAccount(this.qonto.api(login.tokens, { store, key: login.key })),
    );
    const { expiresAt } = (await store.get(login.key)) ?? login.tokens;
    res.type('html').send(accountPage(view, { expiresAt, notice: notice ? NOTICES[notice] : undefined }));
  }

  @Post('refresh')
  @UseGuards(SameOriginGuard)
  async refresh(@Req() req: Request, @Res() res: Response): Promise<void> {
    const login = await this.sessions.current(req);
    if (!login) return res.redirect(303, '/?notice=signed-out');
    refreshTokenOf(login);
    // Through the login's token manager: it saves the rotated set, and with Redis it takes the store's refresh lock,
    // so two clicks on two instances spend the refresh token once (the second gets the first's set).
    const manager = this.qonto.tokenManager({ store: this.sessions.tokenStore, key: login.key });
    await this.#endLoginIfOver(req, res, () => manager.refreshNow());
    res.redirect(303, '/me?notice=refreshed');
  }

  @Post('disconnect')
  @UseGuards(SameOriginGuard)
  async disconnect(@Req() req: Request, @Res() res: Response): Promise<void> {
    const login = await this.sessions.current(req);
    if (login) await this.#revoke(login);
    await this.sessions.end(req, res);
    res.redirect(303, '/?notice=disconnected');
  }

  /** Revokes the consent; an access token that expired meanwhile is refreshed once first. */
  async #revoke(login: Login): Promise<void> {
    try {
      await this.qonto.revokeConsent(login.tokens.accessToken);
      return;
    } catch (error) {
      if (!loginIsOver(error) || login.tokens.refreshToken === undefined) throw error;
    }
    let rotated: TokenSet;
    try {
      // Unless another instance rotated meanwhile (then its set is used), refreshed once, under the store's lock.
      rotated = await this.qonto
        .tokenManager({ store: this.sessions.tokenStore, key: login.key, tokens: login.tokens })
        .refreshNow({ rejectedAccessToken: login.tokens.accessToken });
    } catch (error) {
      if (loginIsOver(error)) return; // Already revoked (in Qonto's app, say): nothing left to revoke.
      throw error;
    }
    await this.qonto.revokeConsent(rotated.accessToken);
  }

  /** Runs `task`; when Qonto says the login is over, signs this browser out before the error page shows. */
  async #endLoginIfOver<T>(req: Request, res: Response, task: () => Promise<T>): Promise<T> {
    try {
      return await task();
    } catch (error) {
      if (loginIsOver(error)) await this.sessions.end(req, res);
      throw error;
    }
  }
}

function refreshTokenOf(login: Login): string {
  if (login.tokens.refreshToken === undefined) {
    throw new BadRequestException(
      'This login has no refresh token: the offline_access scope was not granted. Add it to QONTO_SCOPES and connect again.',
    );
  }
  return login.tokens.refreshToken;
}
