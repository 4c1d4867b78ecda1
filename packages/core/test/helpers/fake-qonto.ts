import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { type QontoEndpoints, sandboxEndpointsAt } from '../../src/index.js';
import { type Loopback, type RecordedRequest, sendJson, startLoopback } from './loopback.js';

export const STAGING = 'staging-token-for-tests';
export const CLIENT_SECRET = 'client-secret-for-tests';

export interface FakeMember {
  organizationId: string;
  membershipId: string;
  email: string;
}

interface Grant {
  member: FakeMember;
  alive: boolean;
}

/**
 * A small Qonto on loopback for core's tests (core cannot depend on the emulator): the token endpoint (code with
 * PKCE, refresh with rotation), `/v2/membership`, `/v2/organization`, paginated `/v2/transactions` and
 * `DELETE /v2/oauth2/consents`. Codes are issued by {@link FakeQonto.authorize}, as a consent page would.
 */
export interface FakeQonto {
  endpoints: QontoEndpoints;
  lb: Loopback;
  /** The code Qonto would redirect with, after `member` consented on the page at `authorizeUrl`. */
  authorize(authorizeUrl: string, member: FakeMember): string;
  /** Revokes every token of a member, as a revocation in Qonto's web app would. */
  revokeMember(membershipId: string): void;
  /** Answer `DELETE /v2/oauth2/consents` with this status (default 204). */
  consentsStatus: number;
  requests(path: string, method?: string): RecordedRequest[];
  /** Every token issued, code and verifier received: the secrets no output may show. */
  secrets(): string[];
}

export function useFakeQonto(o: { transactions?: number } = {}): FakeQonto {
  const codes = new Map<string, { member: FakeMember; challenge: string | null; redirectUri: string }>();
  const accessTokens = new Map<string, Grant>();
  const refreshTokens = new Map<string, Grant>();
  const secrets: string[] = [CLIENT_SECRET, STAGING];
  let issued = 0;

  const issue = (member: FakeMember, res: Parameters<typeof sendJson>[0]) => {
    issued += 1;
    const at = `ory_at_access-${issued}-${randomUUID()}`;
    const rt = `ory_rt_refresh-${issued}-${randomUUID()}`;
    accessTokens.set(at, { member, alive: true });
    refreshTokens.set(rt, { member, alive: true });
    secrets.push(at, rt);
    sendJson(res, 200, {
      access_token: at,
      refresh_token: rt,
      expires_in: 3600,
      token_type: 'bearer',
      scope: 'offline_access openid membership.read organization.read',
    });
  };

  const fake: FakeQonto = {
    endpoints: undefined as unknown as QontoEndpoints,
    lb: undefined as unknown as Loopback,
    consentsStatus: 204,
    authorize(authorizeUrl, member) {
      const params = new URL(authorizeUrl).searchParams;
      const code = `ory_ac_${randomUUID()}`;
      secrets.push(code);
      codes.set(code, {
        member,
        challenge: params.get('code_challenge'),
        redirectUri: params.get('redirect_uri') ?? '',
      });
      return code;
    },
    revokeMember(membershipId) {
      for (const grant of [...accessTokens.values(), ...refreshTokens.values()]) {
        if (grant.member.membershipId === membershipId) grant.alive = false;
      }
    },
    requests: (path, method) =>
      fake.lb.requests.filter(
        (r) => r.url.split('?')[0] === path && (method === undefined || r.method === method),
      ),
    secrets: () => [...secrets],
  };

  beforeAll(async () => {
    fake.lb = await startLoopback((req, res, recorded) => {
      const url = new URL(recorded.url, 'http://x');
      if (req.headers['x-qonto-staging-token'] !== STAGING)
        return sendJson(res, 302, {}, { location: '/login' });
      if (url.pathname === '/oauth2/token') {
        const form = new URLSearchParams(recorded.body);
        if (form.get('client_secret') !== CLIENT_SECRET)
          return sendJson(res, 401, { error: 'invalid_client' });
        if (form.get('grant_type') === 'authorization_code') {
          const entry = codes.get(form.get('code') ?? '');
          codes.delete(form.get('code') ?? '');
          const verifier = form.get('code_verifier') ?? '';
          secrets.push(verifier);
          const challenge = createHash('sha256').update(verifier).digest('base64url');
          if (
            entry === undefined ||
            entry.redirectUri !== form.get('redirect_uri') ||
            (entry.challenge !== null && entry.challenge !== challenge)
          )
            return sendJson(res, 400, { error: 'invalid_grant', error_description: 'bad code' });
          return issue(entry.member, res);
        }
        const grant = refreshTokens.get(form.get('refresh_token') ?? '');
        if (grant?.alive !== true)
          return sendJson(res, 400, { error: 'invalid_grant', error_description: 'dead' });
        grant.alive = false;
        return issue(grant.member, res);
      }
      const grant = accessTokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
      if (grant?.alive !== true) return sendJson(res, 401, { errors: [{ code: 'unauthorized' }] });
      const { member } = grant;
      if (url.pathname === '/v2/membership') {
        return sendJson(res, 200, {
          membership: {
            id: member.membershipId,
            first_name: 'Ada',
            last_name: 'Lovelace',
            email: member.email,
            role: 'owner',
          },
        });
      }
      if (url.pathname === '/v2/organization') {
        return sendJson(res, 200, {
          organization: {
            id: member.organizationId,
            slug: `slug-${member.organizationId}`,
            legal_name: 'ACME SAS',
          },
        });
      }
      if (url.pathname === '/v2/oauth2/consents' && req.method === 'DELETE') {
        if (fake.consentsStatus < 300) fake.revokeMember(member.membershipId);
        res.writeHead(fake.consentsStatus).end();
        return;
      }
      if (url.pathname === '/v2/transactions') {
        const page = Number(url.searchParams.get('page'));
        const perPage = Number(url.searchParams.get('per_page'));
        const total = o.transactions ?? 0;
        const ids = Array.from({ length: total }, (_, i) => i + 1).slice(
          (page - 1) * perPage,
          page * perPage,
        );
        return sendJson(res, 200, {
          transactions: ids.map((i) => ({ id: `${member.organizationId}-tx-${i}` })),
          meta: { current_page: page, next_page: page * perPage < total ? page + 1 : null },
        });
      }
      sendJson(res, 404, { errors: [{ code: 'not_found' }] });
    });
    fake.endpoints = sandboxEndpointsAt(fake.lb.url);
  });
  afterAll(() => fake.lb?.close());
  return fake;
}
