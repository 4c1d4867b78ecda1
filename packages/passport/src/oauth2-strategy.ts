import type { IncomingMessage } from 'node:http';
import { Strategy } from 'passport-oauth2';

/**
 * The request passport hands a strategy: Node's request, with the parsed query Express (and Nest's Fastify
 * adapter) put on it.
 */
export type StrategyRequest = IncomingMessage & { query?: unknown };

/**
 * passport-oauth2's `Strategy`, as far as `QontoStrategy` inherits or overrides it. Declared here rather than taken
 * from `@types/passport-oauth2` (a devDependency only), so the published declarations need none of its `@types`
 * (oauth, and a second `@types/node`): a TypeScript app with `skipLibCheck: false` type-checks with the types it
 * already has, and a JavaScript app installs no `@types/*` at all.
 */
export interface OAuth2StrategyBase {
  /** The name `passport.authenticate(name)` finds the strategy by. */
  name: string;
  /** Starts the login (redirect to the authorization URL) or completes it (on the callback). */
  authenticate(req: StrategyRequest, options?: object): void;
  /** Loads the profile handed to `verify`. */
  userProfile(accessToken: string, done: (error?: unknown, profile?: object) => void): void;
  /** Extra parameters of the authorization URL, from `passport.authenticate`'s options. */
  authorizationParams(options: object | undefined): object;
  /** Extra parameters of the token request, from `passport.authenticate`'s options. */
  tokenParams(options: object | undefined): object;
  /** The error of a token endpoint's error body, or `null` to keep passport-oauth2's. */
  parseErrorResponse(body: string, status: number): Error | null;
}

/** The constructor of {@link OAuth2StrategyBase}: passport-oauth2's options and `verify`. */
export type OAuth2StrategyConstructor = new (
  options: object,
  verify: (...args: never[]) => void,
) => OAuth2StrategyBase;

/** passport-oauth2's `Strategy` class, typed as {@link OAuth2StrategyConstructor}. */
export const OAuth2Strategy: OAuth2StrategyConstructor = Strategy as unknown as OAuth2StrategyConstructor;
