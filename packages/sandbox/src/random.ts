import { randomBytes, randomUUID } from 'node:crypto';

/** An Ory-Hydra-shaped opaque token (`ory_at_…`, `ory_rt_…`, `ory_ac_…`): prefix, 256 random bits, a signature-like tail. */
export function oryToken(prefix: 'ory_ac_' | 'ory_at_' | 'ory_rt_'): string {
  return `${prefix}${randomBytes(32).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
}

/** A random secret for values that are printed nowhere (session ids, CSRF values, per-start credentials). */
export function randomSecret(bytes = 24): string {
  return randomBytes(bytes).toString('base64url');
}

export { randomUUID };
