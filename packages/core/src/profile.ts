import type { QontoApiClient } from './api-client.js';
import type { QontoMembership, QontoOrganization } from './api-resources.js';
import type { QontoEndpoints } from './environments.js';
import { QontoApiError, QontoConfigError } from './errors.js';
import { idTokenIssuer, readIdTokenClaims } from './id-token.js';

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
  /**
   * The raw id_token (`openid` scope), straight from the token endpoint. Its claims are checked
   * (`readIdTokenClaims`) against `clientId` and `issuer` before its `sub` and `email` are used; without a
   * `clientId` it is not used at all.
   */
  idToken?: string | undefined;
  /** Your app's client id, which the id_token's `aud` must contain. */
  clientId?: string | undefined;
  /** The issuer the id_token's `iss` must equal, when known (see `idTokenIssuer`). */
  issuer?: string | undefined;
  /** Clock in epoch milliseconds for the id_token's `exp` (default `Date.now`). */
  now?: (() => number) | undefined;
}

/**
 * Fetches the membership and the organization in parallel and combines them with the id_token's `sub` into a
 * {@link QontoProfile}. A 403 on either call (its scope was not granted) leaves that part out; any other error is
 * thrown. Throws {@link QontoConfigError} when neither the membership nor a `sub` is available, naming the scopes
 * to request.
 *
 * The id_token is used only with `clientId`, after its claims are checked (`aud`, `exp`, `alg`, and `iss` against
 * `issuer`, which defaults to the API client's environment's: see `idTokenIssuer`); a token that fails a check
 * throws `QontoUnexpectedResponseError`.
 */
export async function fetchQontoProfile(
  api: Pick<QontoApiClient, 'getMembership' | 'getOrganization'> & { endpoints?: QontoEndpoints },
  o: Omit<QontoProfileSources, 'membership' | 'organization'> = {},
): Promise<QontoProfile> {
  const [membership, organization] = await Promise.all([
    unlessForbidden(api.getMembership()),
    unlessForbidden(api.getOrganization()),
  ]);
  const issuer = o.issuer ?? (api.endpoints === undefined ? undefined : idTokenIssuer(api.endpoints));
  return buildQontoProfile({ ...o, membership, organization, issuer });
}

/**
 * Combines already-fetched parts into a {@link QontoProfile} (no network). The id_token is used only with
 * `clientId`, once its claims passed `readIdTokenClaims` (which throws `QontoUnexpectedResponseError` otherwise).
 * Throws {@link QontoConfigError} when there is neither a membership nor a usable id_token `sub`.
 */
export function buildQontoProfile(sources: QontoProfileSources): QontoProfile {
  const { membership, organization, idToken, clientId } = sources;
  const usable = idToken !== undefined && typeof clientId === 'string' && clientId !== '';
  const claims = usable
    ? readIdTokenClaims(idToken, { clientId, issuer: sources.issuer, now: sources.now })
    : undefined;
  const sub = typeof claims?.sub === 'string' && claims.sub !== '' ? claims.sub : undefined;
  const id = membership?.id ?? sub;
  if (id === undefined) {
    const why =
      idToken === undefined
        ? 'no id_token was given'
        : usable
          ? 'the id_token has no `sub`'
          : 'the id_token came without the clientId to check it';
    throw new QontoConfigError(
      `Cannot tell who connected: GET /v2/membership got 403 (no \`membership.read\` scope) and ${why}. Fix: ` +
        'request `membership.read`, or `openid` and pass the id_token with your clientId (DEFAULT_QONTO_SCOPES has both).',
    );
  }
  const profile: QontoProfile = {
    id,
    ...strings({
      membershipId: membership?.id,
      userId: sub,
      name: [membership?.first_name, membership?.last_name].filter(isNonEmptyString).join(' '),
      firstName: membership?.first_name,
      lastName: membership?.last_name,
      email: membership?.email ?? claims?.email,
      role: membership?.role,
      locale: membership?.locale ?? organization?.locale,
    }),
  };
  if (organization !== undefined) {
    profile.organization = {
      id: organization.id,
      ...strings({ slug: organization.slug, legalName: organization.legal_name }),
    };
  }
  return profile;
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

/** The fields of `o` that are non-empty strings. */
function strings(o: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => isNonEmptyString(v))) as Record<
    string,
    string
  >;
}
