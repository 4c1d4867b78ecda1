import { ExpiringMap } from '../expiring-map.js';
import { FORGET_AFTER_MS, GRANT_STORE_CAPACITY } from '../limits.js';
import { oryToken, randomUUID } from '../random.js';

/** Lifetimes documented on https://docs.qonto.com/get-started/business-api/authentication/oauth/token-endpoint. */
export const CODE_LIFETIME_MS = 10 * 60 * 1000;
export const ACCESS_TOKEN_LIFETIME_S = 3600;
export const REFRESH_TOKEN_LIFETIME_MS = 90 * 24 * 3600 * 1000;
/** A used refresh token keeps working this long after its first use (refresh-token-endpoint page). */
export const REFRESH_GRACE_MS = 60 * 1000;

/** What the user approved on the consent page, for one client, one membership. */
export interface Consent {
  clientId: string;
  userId: string;
  membershipId: string;
  organizationId: string;
  scopes: string[];
  /** When the user logged in (the id_token `auth_time`), epoch ms. */
  authTime: number;
  /** When the authorize request came in (the id_token `rat`), epoch ms. */
  requestedAt: number;
  nonce?: string;
  /**
   * The user OAuth flow: every organization the consent covers (revoking the consent in one removes it).
   * `organizationId` and `membershipId` are then those of the first organization consented to: read
   * {@link consentedOrganizations} instead; each API call picks one with `X-Qonto-Organization-Id`.
   */
  organizationIds?: string[];
}

/** The organizations a consent covers: its one organization, or those of a user-flow consent still consented to. */
export function consentedOrganizations(consent: Consent): readonly string[] {
  return consent.organizationIds ?? [consent.organizationId];
}

interface CodeRecord {
  consent: Consent;
  redirectUri: string;
  codeChallenge?: string;
  issuedAt: number;
  /** Set at the first successful exchange; a second exchange revokes this grant. */
  grantId?: string;
}

/** The tokens that descend from one code exchange (rotations included): revoked together. */
export interface Grant extends Consent {
  /** Also the id_token `sid`. */
  id: string;
  revoked: boolean;
  /** How many of its tokens the store still holds: the grant is forgotten with its last token. */
  tokens: number;
}

interface TokenRecord {
  grantId: string;
  expiresAt: number;
  /** Refresh tokens only: when it was first exchanged. */
  firstUsedAt?: number;
}

export type RefreshOutcome =
  | { ok: true; grant: Grant }
  | { ok: false; reason: 'unknown' | 'other-client' | 'expired' | 'revoked' | 'reused' };

/**
 * The emulator's authorization state: codes, grants, access and refresh tokens, all in memory and judged by the
 * emulator's clock. Bounded: each code and token is forgotten {@link FORGET_AFTER_MS} after it stopped working (so
 * that using it then, or revoking it, still finds it), at most {@link GRANT_STORE_CAPACITY} of each kind are kept,
 * and a grant goes with its last token.
 */
export class GrantStore {
  private readonly grants = new Map<string, Grant>();
  private readonly codes: ExpiringMap<string, CodeRecord>;
  private readonly accessTokens: ExpiringMap<string, TokenRecord>;
  private readonly refreshTokens: ExpiringMap<string, TokenRecord>;

  constructor(private readonly now: () => number) {
    const onDrop = (_token: string, record: TokenRecord) => this.release(record.grantId);
    const capacity = GRANT_STORE_CAPACITY;
    this.codes = new ExpiringMap({ keepMs: CODE_LIFETIME_MS + FORGET_AFTER_MS, capacity, now });
    this.accessTokens = new ExpiringMap({
      keepMs: ACCESS_TOKEN_LIFETIME_S * 1000 + FORGET_AFTER_MS,
      capacity,
      now,
      onDrop,
    });
    this.refreshTokens = new ExpiringMap({
      keepMs: REFRESH_TOKEN_LIFETIME_MS + FORGET_AFTER_MS,
      capacity,
      now,
      onDrop,
    });
  }

  /** Forgets what has outlived its time; every write prunes too, so this matters only for a store left idle. */
  prune(): void {
    this.codes.prune();
    this.accessTokens.prune();
    this.refreshTokens.prune();
  }

  /** How many records of each kind are held (tests of the bounds read it). */
  get sizes(): { codes: number; grants: number; accessTokens: number; refreshTokens: number } {
    return {
      codes: this.codes.size,
      grants: this.grants.size,
      accessTokens: this.accessTokens.size,
      refreshTokens: this.refreshTokens.size,
    };
  }

  private release(grantId: string): void {
    const grant = this.grants.get(grantId);
    if (grant && --grant.tokens <= 0) this.grants.delete(grantId);
  }

  issueCode(consent: Consent, redirectUri: string, codeChallenge: string | undefined): string {
    const code = oryToken('ory_ac_');
    const record: CodeRecord = { consent, redirectUri, issuedAt: this.now() };
    if (codeChallenge !== undefined) record.codeChallenge = codeChallenge;
    this.codes.set(code, record);
    return code;
  }

  /** The code's record, whatever its state; the token endpoint decides what each state means. */
  findCode(code: string): { record: Readonly<CodeRecord>; expired: boolean } | undefined {
    const record = this.codes.get(code);
    if (!record) return undefined;
    return { record, expired: this.now() - record.issuedAt > CODE_LIFETIME_MS };
  }

  /** First successful exchange of a code: a new grant. */
  redeemCode(code: string): Grant {
    const record = this.codes.get(code);
    if (!record || record.grantId) throw new Error('redeemCode: the code is unknown or already used');
    const grant: Grant = { ...record.consent, id: randomUUID(), revoked: false, tokens: 0 };
    this.grants.set(grant.id, grant);
    record.grantId = grant.id;
    return grant;
  }

  /** Tokens for a grant: an access token always, a refresh token with `offline_access`. */
  issueTokens(grant: Grant): { accessToken: string; refreshToken?: string } {
    const now = this.now();
    const accessToken = oryToken('ory_at_');
    grant.tokens += 1;
    this.accessTokens.set(accessToken, {
      grantId: grant.id,
      expiresAt: now + ACCESS_TOKEN_LIFETIME_S * 1000,
    });
    if (!grant.scopes.includes('offline_access')) return { accessToken };
    const refreshToken = oryToken('ory_rt_');
    grant.tokens += 1;
    this.refreshTokens.set(refreshToken, { grantId: grant.id, expiresAt: now + REFRESH_TOKEN_LIFETIME_MS });
    return { accessToken, refreshToken };
  }

  /** The grant behind a live access token; undefined when unknown, expired or revoked. */
  findAccessToken(token: string): Grant | undefined {
    const record = this.accessTokens.get(token);
    if (!record || record.expiresAt <= this.now()) return undefined;
    const grant = this.grants.get(record.grantId);
    return grant && !grant.revoked ? grant : undefined;
  }

  /**
   * Accepts a refresh token for `clientId`: valid until 60 s after its first use (multiple uses allowed within
   * that window), as Qonto's rotation with its grace period. A use after that is a replay (RFC 9700 section 4.14.2): it
   * revokes the whole grant, every token rotated from the same code included, as Ory Hydra does.
   */
  useRefreshToken(token: string, clientId: string): RefreshOutcome {
    const record = this.refreshTokens.get(token);
    const grant = record && this.grants.get(record.grantId);
    if (!record || !grant) return { ok: false, reason: 'unknown' };
    if (grant.clientId !== clientId) return { ok: false, reason: 'other-client' };
    if (grant.revoked) return { ok: false, reason: 'revoked' };
    const now = this.now();
    if (record.expiresAt <= now) return { ok: false, reason: 'expired' };
    if (record.firstUsedAt === undefined) record.firstUsedAt = now;
    else if (now - record.firstUsedAt > REFRESH_GRACE_MS) {
      grant.revoked = true;
      return { ok: false, reason: 'reused' };
    }
    return { ok: true, grant };
  }

  /** The grant an access or refresh token belongs to, whatever its state (expired, rotated, revoked). */
  findGrantOfToken(token: string): Grant | undefined {
    const record = this.accessTokens.get(token) ?? this.refreshTokens.get(token);
    return record && this.grants.get(record.grantId);
  }

  revokeGrant(grantId: string): void {
    const grant = this.grants.get(grantId);
    if (grant) grant.revoked = true;
  }

  /** The grants not revoked, with at least one token still held: the consents the connected-apps page lists. */
  liveGrants(): Grant[] {
    return [...this.grants.values()].filter((g) => !g.revoked);
  }

  /**
   * Revokes a member's consents to one client in one organization (`DELETE /v2/oauth2/consents`, the connected-apps
   * page): a grant of that organization is revoked; a user-flow grant loses the organization, and is revoked once it
   * has none left.
   */
  revokeConsents(o: { clientId: string; userId: string; organizationId: string }): void {
    for (const grant of this.grants.values()) {
      if (grant.clientId !== o.clientId || grant.userId !== o.userId) continue;
      if (!consentedOrganizations(grant).includes(o.organizationId)) continue;
      const left = grant.organizationIds?.filter((id) => id !== o.organizationId) ?? [];
      if (left.length === 0) grant.revoked = true;
      else grant.organizationIds = left;
    }
  }
}
