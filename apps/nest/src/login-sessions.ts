import { randomBytes } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { isQontoError, type QontoTokenStoreError, type TokenSet, type TokenStore } from '@qonto-oauth/core';
import type { Request, Response } from 'express';

/** The login cookie: its own name, because cookies ignore ports and the other sample apps run on localhost too. */
export const LOGIN_COOKIE = 'qonto_nest_login';

/** Injection token of the server-side {@link TokenStore} that holds each login's TokenSet. */
export const LOGIN_STORE: unique symbol = Symbol.for('example-nest.login-store');

/** A signed-in browser: the key of its login in the store, and the tokens kept there. */
export interface Login {
  key: string;
  tokens: TokenSet;
}

/**
 * Logins kept server-side: the browser holds only a random id in a signed, HttpOnly cookie; the TokenSet (a refresh
 * token is a 90-day credential to a bank account) stays in the {@link TokenStore}. One place holds each rotated
 * refresh token, and signing out deletes it.
 */
@Injectable()
export class LoginSessions {
  constructor(@Inject(LOGIN_STORE) private readonly store: TokenStore) {}

  /** Starts a new login (a new id, never the previous one) for `tokens` and sets the cookie on `res`. */
  async start(req: Request, res: Response, tokens: TokenSet, secure: boolean): Promise<Login> {
    await this.#forget(req);
    const key = randomBytes(32).toString('base64url');
    await this.store.set(key, tokens);
    res.cookie(LOGIN_COOKIE, key, { signed: true, httpOnly: true, sameSite: 'lax', secure, path: '/' });
    return { key, tokens };
  }

  /**
   * The login of this browser, or `undefined` (no cookie, a tampered one, or a login that ended: here, or on another
   * instance sharing the store).
   */
  async current(req: Request): Promise<Login | undefined> {
    const key: unknown = req.signedCookies?.[LOGIN_COOKIE];
    if (typeof key !== 'string' || key === '') return undefined;
    const tokens = await this.store.get(key).catch((error: unknown) => {
      // A RedisTokenStore that served this login before and finds it gone: another instance ended it.
      if (
        isQontoError(error) &&
        error.code === 'token_store' &&
        (error as QontoTokenStoreError).reconnectRequired
      ) {
        return undefined;
      }
      throw error;
    });
    return tokens === undefined ? undefined : { key, tokens };
  }

  /** The store itself: `QontoService.api(tokens, { store, key })` saves rotated tokens there. */
  get tokenStore(): TokenStore {
    return this.store;
  }

  /** Forgets this browser's login, server-side and in the browser. */
  async end(req: Request, res: Response): Promise<void> {
    await this.#forget(req);
    res.clearCookie(LOGIN_COOKIE, { path: '/' });
  }

  async #forget(req: Request): Promise<void> {
    const login = await this.current(req);
    if (login) await this.store.delete(login.key);
  }
}
