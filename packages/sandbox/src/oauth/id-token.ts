import { createHash } from 'node:crypto';
import type { JWK } from 'jose';
import { randomUUID } from '../random.js';
import type { Grant } from './grants.js';

/** The id_token lifetime: 1 hour (https://docs.qonto.com/get-started/business-api/authentication/oauth/token-endpoint). */
const ID_TOKEN_LIFETIME_S = 3600;

/** Signs id_tokens with a key pair made for this start, and publishes its public half. */
export interface IdTokenSigner {
  /** `{ keys: [...] }` for `/.well-known/jwks.json`. */
  jwks(): Promise<{ keys: JWK[] }>;
  /** Resolves once the key pair exists, so that making it does not age the tokens about to be signed. */
  ready(): Promise<unknown>;
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
export function createIdTokenSigner(): IdTokenSigner {
  // jose and an RSA key pair cost more than the rest of a start: both wait for the first id_token or JWKS request,
  // which most runs never make.
  let keys: ReturnType<typeof generateKeys> | undefined;
  const lazyKeys = () => {
    keys ??= generateKeys().catch((error: unknown) => {
      keys = undefined; // the next request tries again
      throw error;
    });
    return keys;
  };
  return {
    ready: lazyKeys,
    async jwks() {
      return { keys: [(await lazyKeys()).publicJwk] };
    },
    async sign({ issuer, grant, email, accessToken, now }) {
      const { jose, kid, privateKey } = await lazyKeys();
      const iat = Math.floor(now / 1000);
      const claims: Record<string, unknown> = {
        at_hash: atHash(accessToken),
        auth_time: Math.floor(grant.authTime / 1000),
        email,
        rat: Math.floor(grant.requestedAt / 1000),
        sid: grant.id,
      };
      if (grant.nonce !== undefined) claims.nonce = grant.nonce;
      return new jose.SignJWT(claims)
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

async function generateKeys() {
  const jose = await import('jose');
  const { publicKey, privateKey } = await jose.generateKeyPair('RS256', { extractable: true });
  const kid = `private:${randomUUID()}`;
  const publicJwk: JWK = { ...(await jose.exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return { jose, kid, privateKey, publicJwk };
}
