import type { SeedMembership } from './people.js';
import { prngFor } from './prng.js';

/**
 * A membership as `GET /v2/memberships` lists it: the fields of Qonto's example
 * (https://docs.qonto.com/api-reference/business-api/accounts-organizations/memberships/list-memberships), in that
 * order, plus the organization it belongs to (not served).
 */
export interface SeedMemberListing {
  organizationId: string;
  id: string;
  first_name: string;
  last_name: string;
  role: SeedMembership['role'];
  residence_country: string;
  birthdate: string;
  nationality: string;
  ubo: boolean;
  birth_country: string;
  status: SeedMembership['status'];
  team_id: string;
}

const COUNTRIES = ['FR', 'FR', 'FR', 'BE', 'IT', 'ES', 'DE'];

/**
 * The list entries of every membership, in seed order. The extra fields come from a `member-list` stream of their
 * own, so the memberships `GET /v2/membership` serves are unchanged.
 */
export function seedMemberListings(seed: number, memberships: SeedMembership[]): SeedMemberListing[] {
  const prng = prngFor(seed, 'member-list');
  return memberships.map((m) => {
    const year = prng.int(1960, 2000);
    const birthdate = `${year}-${String(prng.int(1, 12)).padStart(2, '0')}-${String(prng.int(1, 28)).padStart(2, '0')}`;
    return {
      organizationId: m.organizationId,
      id: m.id,
      first_name: m.first_name,
      last_name: m.last_name,
      role: m.role,
      residence_country: 'FR',
      birthdate,
      nationality: prng.pick(COUNTRIES),
      ubo: m.role === 'owner',
      birth_country: prng.pick(COUNTRIES),
      status: m.status,
      team_id: m.team_id,
    };
  });
}
