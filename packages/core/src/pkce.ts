/**
 * Anti-forgery `state` and PKCE (RFC 7636, S256) with WebCrypto (`globalThis.crypto`), so core runs on any runtime
 * with Web standards. Qonto requires `state`
 * (https://docs.qonto.com/api-reference/business-api/authentication/oauth2/retrieve_authorization) and does not
 * document PKCE; its OAuth server accepts it, so it is sent as an extra safeguard, never relied upon. The
 * WebCrypto helpers webhooks and refresh coordination share live here too.
 */

/** A fresh `state`: 256 random bits, base64url (43 characters). Store it in the user's session, compare on callback. */
export function createState(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** A fresh PKCE code verifier: 256 random bits, base64url (43 characters, within RFC 7636's 43-128). */
export function createCodeVerifier(): string {
  return createState();
}

/** The S256 code challenge of `verifier`: base64url(SHA-256(verifier)). */
export async function codeChallengeS256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** An HMAC-SHA-256 key of `secret`, for `usage`. */
export function hmacKey(
  secret: string,
  usage: 'sign' | 'verify',
): ReturnType<typeof crypto.subtle.importKey> {
  const raw = new TextEncoder().encode(secret);
  return crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, [usage]);
}

/** Base64url without padding (RFC 4648 section 5), as state and PKCE values use. */
export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}
