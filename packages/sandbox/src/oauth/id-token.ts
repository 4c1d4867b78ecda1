import { createHash } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { randomUUID } from '../random.js';
import type { Grant } from './grants.js';

/** The id_token lifetime: 1 hour (https://docs.qonto.com/get-started/business-api/authentication/oauth/token-endpoint). */
const ID_TOKEN_LIFETIME_S = 3600;

/** Signs id_tokens with a key pair made for this start, and publishes its public half. */
export interface IdTokenSigner {
  /** `{ keys: [...] }` for `/.well-known/jwks.json`. */
  jwks: { keys: JWK[] };
  sign(o: { issuer: string; grant: Grant; email: string; accessToken: string; now: number }): Promise<string>;
}

/** OIDC `at_hash`: the left half of SHA-256 over the access token, base64url. */
export function atHash(accessToken: string): string {
  return createHash('sha256').update(accessToken, 'ascii').digest().subarray(0, 16).toString('base64url');
}

/**
 * An RS256 signer shaped like Qonto's example id_token (create_tokens page): `kid` `private:<uuid>`, `aud` an array
 * of the client id, `sub` the user id, `email`, `at_hash`, `auth_time`, `rat`, `sid`, `jti`, `iat`/`exp` 1 hour apart.
 */
export async function createIdTokenSigner(): Promise<IdTokenSigner> {
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true });
  const kid = `private:${randomUUID()}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return {
    jwks: { keys: [publicJwk] },
    async sign({ issuer, grant, email, accessToken, now }) {
      const iat = Math.floor(now / 1000);
      const claims: Record<string, unknown> = {
        at_hash: atHash(accessToken),
        auth_time: Math.floor(grant.authTime / 1000),
        email,
        rat: Math.floor(grant.requestedAt / 1000),
        sid: grant.id,
      };
      if (grant.nonce !== undefined) claims.nonce = grant.nonce;
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
        .setIssuer(issuer)
        .setAudience([grant.clientId])
        .setSubject(grant.userId)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ID_TOKEN_LIFETIME_S)
        .setJti(randomUUID())
        .sign(privateKey);
    },
  };
}
