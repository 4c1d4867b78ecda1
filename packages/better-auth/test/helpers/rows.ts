import type { QontoAccountRow } from '../../src/index.js';
import type { TestApp } from './app.js';

/** The app's Qonto account rows, straight from the memory database. */
export function qontoRows(app: TestApp): QontoAccountRow[] {
  return (app.db.account as unknown as QontoAccountRow[]).filter((row) => row.providerId === 'qonto');
}

/** Makes Better Auth see the row's access token as expired, as an hour later would. */
export function expireAccessToken(row: QontoAccountRow): void {
  row.accessTokenExpiresAt = new Date(Date.now() - 1_000);
}

/**
 * The body of `POST /get-access-token` for a row, in the shape the Better Auth under test takes: 1.7 selects the
 * row by its id (`{ accountId }`, a strict object), 1.6 by provider and provider account id.
 */
export function accessTokenBody(app: TestApp, row: QontoAccountRow): Record<string, string> {
  const schema = (
    app.auth.api.getAccessToken as unknown as {
      options: { body: { safeParse(v: unknown): { success: boolean } } };
    }
  ).options.body;
  return schema.safeParse({ accountId: row.id }).success
    ? { accountId: row.id }
    : { providerId: 'qonto', accountId: row.accountId };
}
