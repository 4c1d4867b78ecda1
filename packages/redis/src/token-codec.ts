import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { QontoConfigError, type TokenSet } from '@qonto-oauth/core';

/** Prefix of an encrypted value: format version 1, AES-256-GCM. */
const ENCRYPTED = 'enc:v1:';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** At least 32 characters: `openssl rand -base64 32` gives 44. */
export const MIN_ENCRYPTION_KEY_LENGTH = 32;

/** The encryption options of a store, as {@link TokenCodec} takes them. */
export interface TokenCodecOptions {
  encryptionKey?: string | undefined;
  previousEncryptionKeys?: readonly string[] | undefined;
  readUnencrypted?: boolean | undefined;
}

/**
 * Turns token sets (and the connection store's records) into Redis values and back: the JSON, or, with an
 * encryption key, that JSON sealed with AES-256-GCM under a key derived from it (HKDF-SHA-256), bound to the Redis
 * key it is stored under, so a value copied to another connection's key does not decrypt. Values are opened with the
 * current key or any previous one (a rotation), and plain values only when told to (adding encryption).
 */
export class TokenCodec {
  readonly #key: Buffer | undefined;
  /** Every key a value may have been sealed with: the current one first. */
  readonly #openingKeys: Buffer[];
  readonly #readUnencrypted: boolean;

  constructor(o: TokenCodecOptions) {
    this.#key = o.encryptionKey === undefined ? undefined : derive(o.encryptionKey, 'encryptionKey');
    const previous = o.previousEncryptionKeys ?? [];
    if (!Array.isArray(previous)) {
      throw new QontoConfigError(
        'RedisTokenStore: previousEncryptionKeys must be an array of the keys used before encryptionKey.',
      );
    }
    this.#openingKeys = [
      ...(this.#key === undefined ? [] : [this.#key]),
      ...previous.map((key, i) => derive(key, `previousEncryptionKeys[${i}]`)),
    ];
    this.#readUnencrypted = o.readUnencrypted === true;
  }

  encode(tokens: TokenSet, redisKey: string): string {
    return this.seal(JSON.stringify(tokens), redisKey);
  }

  /** `json` as stored under `redisKey`: as is, or sealed when the store has an encryption key. */
  seal(json: string, redisKey: string): string {
    if (this.#key === undefined) return json;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv);
    cipher.setAAD(Buffer.from(redisKey));
    const sealed = Buffer.concat([iv, cipher.update(json, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return ENCRYPTED + sealed.toString('base64url');
  }

  /** The set, or a sentence saying why the value is not one (never the value itself). */
  decode(value: string, redisKey: string): TokenSet | string {
    const opened = this.open(value, redisKey);
    if (typeof opened === 'string') return opened;
    return isTokenSet(opened.json)
      ? opened.json
      : 'it is not a TokenSet: was the key written by something else?';
  }

  /** The JSON stored under `redisKey`, parsed, or a sentence saying why it cannot be read (never the value). */
  open(value: string, redisKey: string): { json: unknown } | string {
    let json = value;
    if (value.startsWith(ENCRYPTED)) {
      if (this.#openingKeys.length === 0) {
        return 'it is encrypted and this store has no encryptionKey: give it the key the other processes use';
      }
      const sealed = Buffer.from(value.slice(ENCRYPTED.length), 'base64url');
      let opened: string | undefined;
      for (const key of this.#openingKeys) {
        opened = unseal(key, sealed, redisKey);
        if (opened !== undefined) break;
      }
      if (opened === undefined) {
        return (
          'it does not decrypt with this encryptionKey (nor any of previousEncryptionKeys): every process must use ' +
          'the same key, and a replaced key stays in previousEncryptionKeys'
        );
      }
      json = opened;
    } else if (this.#key !== undefined && !this.#readUnencrypted) {
      return (
        'it is stored unencrypted while this store has an encryptionKey: every process must use the same key ' +
        '(while adding encryption to a store of plain values, set readUnencrypted: true)'
      );
    }
    try {
      return { json: JSON.parse(json) };
    } catch {
      return 'it is not JSON: was the key written by something else?';
    }
  }
}

/** The key of `secret`, checked, derived with HKDF-SHA-256. */
function derive(secret: string, name: string): Buffer {
  if (typeof secret !== 'string' || secret.length < MIN_ENCRYPTION_KEY_LENGTH) {
    throw new QontoConfigError(
      `RedisTokenStore: ${name} must be a string of at least ${MIN_ENCRYPTION_KEY_LENGTH} characters. ` +
        'Generate one with `openssl rand -base64 32`, keep it in your secrets, and give every process the same.',
    );
  }
  return Buffer.from(hkdfSync('sha256', secret, '@qonto-oauth/redis', 'token set v1', 32) as ArrayBuffer);
}

/** The JSON sealed under `key` for `redisKey`, or `undefined` when `key` is not the one (GCM's tag says so). */
function unseal(key: Buffer, sealed: Buffer, redisKey: string): string | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
    decipher.setAAD(Buffer.from(redisKey));
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    return (
      decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES), undefined, 'utf8') +
      decipher.final('utf8')
    );
  } catch {
    return undefined;
  }
}

function isTokenSet(value: unknown): value is TokenSet {
  const t = value as Partial<TokenSet> | null;
  return (
    typeof t === 'object' &&
    t !== null &&
    typeof t.accessToken === 'string' &&
    typeof t.expiresAt === 'number' &&
    Array.isArray(t.scopes) &&
    (t.refreshToken === undefined || typeof t.refreshToken === 'string')
  );
}
