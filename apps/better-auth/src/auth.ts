import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { type QontoOptions, qonto } from '@qonto-oauth/better-auth';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { SqliteDialect } from 'kysely';
import Database from 'libsql';

/** Better Auth's cookies are named `qonto-better-auth.*`: cookies ignore ports, and the sample apps share localhost. */
export const COOKIE_PREFIX = 'qonto-better-auth';

/** What {@link createAuth} needs. */
export interface AuthConfig {
  /** The app's public origin, e.g. `http://localhost:3003`: Better Auth builds the callback URL from it. */
  baseURL: string;
  /** Signs Better Auth's cookies (32 characters or more). */
  secret: string;
  /** The SQLite database file (created with its folder when missing), or `:memory:`. */
  databaseFile: string;
  /** `qonto()`'s options: the demo client's, or `{ env }` to read the `QONTO_*` variables. */
  qonto: QontoOptions;
}

function authOptions(config: AuthConfig, database: Database.Database) {
  return {
    baseURL: config.baseURL,
    secret: config.secret,
    // libSQL's driver has better-sqlite3's API, so Kysely's SQLite dialect runs on it. Named explicitly: Better
    // Auth's guess reads the driver's own `db` property as a Kysely instance.
    database: { dialect: new SqliteDialect({ database }), type: 'sqlite' as const, transaction: true },
    plugins: [qonto(config.qonto)],
    // Better Auth answers these with the member's Qonto access, id and refresh tokens; this app's browser needs
    // none of them, and its server calls auth.api.getAccessToken / refreshToken directly, which stay available.
    disabledPaths: ['/get-access-token', '/refresh-token'],
    advanced: { cookiePrefix: COOKIE_PREFIX },
    telemetry: { enabled: false },
  };
}

/**
 * Opens the SQLite database, brings its tables up to what Better Auth and `qonto()` need with Better Auth's own
 * migrations (`getMigrations`: `user`, `session`, `account` with the plugin's organization columns,
 * `verification`; nothing fetched, nothing dropped), and creates the auth instance on it.
 */
export async function createAuth(config: AuthConfig) {
  if (config.databaseFile !== ':memory:') mkdirSync(dirname(config.databaseFile), { recursive: true });
  const database = new Database(config.databaseFile);
  try {
    const options = authOptions(config, database);
    const { runMigrations } = await getMigrations(options);
    await runMigrations();
    return { auth: betterAuth(options), database };
  } catch (error) {
    database.close();
    throw error;
  }
}

/** The Better Auth instance of this app, with `qonto()`'s endpoints (`listQontoAccounts`, `disconnectQonto`). */
export type Auth = Awaited<ReturnType<typeof createAuth>>['auth'];
