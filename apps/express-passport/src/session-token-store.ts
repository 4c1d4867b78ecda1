import type { TokenSet, TokenStore } from '@qonto-oauth/core';
import type { Request } from 'express';

declare module 'express-session' {
  interface SessionData {
    /** The signed-in connection's tokens; rotated in place whenever QontoTokenManager refreshes. */
    qonto?: { tokens: TokenSet };
  }
}

/**
 * A {@link TokenStore} over this request's session: QontoTokenManager saves every rotated TokenSet here before
 * anyone uses it, and the session is written to its store before `set` resolves, so a rotated refresh token is
 * never lost (Qonto invalidates the previous one 60 s after a refresh).
 */
export function sessionTokenStore(req: Request): TokenStore {
  return {
    async get() {
      return req.session.qonto?.tokens;
    },
    async set(_key, tokens) {
      req.session.qonto = { tokens };
      await new Promise<void>((resolve, reject) =>
        req.session.save((error) => (error ? reject(error) : resolve())),
      );
    },
    async delete() {
      delete req.session.qonto;
    },
  };
}
