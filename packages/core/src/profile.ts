import type { QontoApiClient } from './api-client.js';
import type { QontoMembership, QontoOrganization } from './api-resources.js';
import { QontoApiError, QontoConfigError } from './errors.js';
import { parseJsonObject } from './response-body.js';

/**
 * Who connected, in the shape the framework adapters hand to your app. Qonto has no userinfo endpoint: this is
 * assembled from `GET /v2/membership`, `GET /v2/organization` and the id_token's `sub`, as far as the granted
 * scopes allow.
 */
export interface QontoProfile {
  /** The membership id (unique per user and organization), else the id_token `sub`. */
  id: string;
  membershipId?: string;
  /** The id_token `sub`: the Qonto user across organizations. */
  userId?: string;
  /** First and last name joined. Qonto's id_token carries no name: it comes from the membership. */
  name?: string;
  firstName?: string;
  lastName?: string;
  email?: string;
  role?: string;
  locale?: string;
  organization?: { id: string; slug?: string; legalName?: string };
}

/** The parts a {@link QontoProfile} is built from; any may be missing when its scope was not granted. */
export interface QontoProfileSources {
  membership?: QontoMembership | undefined;
  organization?: QontoOrganization | undefined;
  /** The raw id_token (`openid` scope). Only its payload is read. */
  idToken?: string | undefined;
}

/**
 * Fetches the membership and the organization in parallel and combines them with the id_token's `sub` into a
 * {@link QontoProfile}. A 403 on either call (its scope was not granted) leaves that part out; any other error is
 * thrown. Throws {@link QontoConfigError} when neither the membership nor a `sub` is available, naming the scopes
 * to request.
 */
export async function fetchQontoProfile(
  api: Pick<QontoApiClient, 'getMembership' | 'getOrganization'>,
  o: { idToken?: string } = {},
): Promise<QontoProfile> {
  const [membership, organization] = await Promise.all([
    unlessForbidden(api.getMembership()),
    unlessForbidden(api.getOrganization()),
  ]);
  return buildQontoProfile({ membership, organization, idToken: o.idToken });
}

/**
 * Combines already-fetched parts into a {@link QontoProfile} (no network). Throws {@link QontoConfigError} when
 * there is neither a membership nor an id_token with a `sub`.
 */
export function buildQontoProfile(sources: QontoProfileSources): QontoProfile {
  const { membership, organization } = sources;
  const claims = sources.idToken === undefined ? undefined : decodeIdTokenClaims(sources.idToken);
  const sub = typeof claims?.sub === 'string' && claims.sub !== '' ? claims.sub : undefined;
  const id = membership?.id ?? sub;
  if (id === undefined) {
    throw new QontoConfigError(
      'Cannot tell who connected: GET /v2/membership was refused (the `membership.read` scope was not granted) ' +
        `and ${sources.idToken === undefined ? 'no id_token was given' : 'the id_token has no readable `sub`'}. ` +
        'Request the `membership.read` scope, or `openid` and pass the id_token (DEFAULT_QONTO_SCOPES has both).',
    );
  }
  const profile: QontoProfile = { id };
  const name = [membership?.first_name, membership?.last_name].filter(isNonEmptyString).join(' ');
  const email = membership?.email ?? claims?.email;
  const locale = membership?.locale ?? organization?.locale;
  assign(profile, 'membershipId', membership?.id);
  assign(profile, 'userId', sub);
  assign(profile, 'name', name);
  assign(profile, 'firstName', membership?.first_name);
  assign(profile, 'lastName', membership?.last_name);
  assign(profile, 'email', email);
  assign(profile, 'role', membership?.role);
  assign(profile, 'locale', locale);
  if (organization !== undefined) {
    profile.organization = { id: organization.id };
    assign(profile.organization, 'slug', organization.slug);
    assign(profile.organization, 'legalName', organization.legal_name);
  }
  return profile;
}

/**
 * The payload of a JWT, decoded WITHOUT checking its signature, or `undefined` when it is not a readable JWT.
 * Only use it on an id_token that came straight from Qonto's token endpoint over TLS, as OpenID Connect allows
 * (Core 1.0, section 3.1.3.7); never on one a browser handed you.
 */
export function decodeIdTokenClaims(idToken: string): Record<string, unknown> | undefined {
  if (typeof idToken !== 'string') return undefined;
  const parts = idToken.split('.');
  if (parts.length !== 3 || parts[1] === undefined || !/^[A-Za-z0-9_-]+$/.test(parts[1])) return undefined;
  try {
    const base64 = parts[1].replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '='));
    const json = new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
    return parseJsonObject(json);
  } catch {
    // atob refused the payload (not base64url).
    return undefined;
  }
}

async function unlessForbidden<T>(request: Promise<T>): Promise<T | undefined> {
  try {
    return await request;
  } catch (error) {
    if (error instanceof QontoApiError && error.status === 403) return undefined;
    throw error;
  }
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value !== '';
}

function assign<T extends object, K extends keyof T>(target: T, key: K, value: unknown): void {
  if (isNonEmptyString(value)) target[key] = value as T[K];
}
