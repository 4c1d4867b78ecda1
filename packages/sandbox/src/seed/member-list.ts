import {
  FIRST_NAMES,
  LAST_NAMES,
  type MemberRole,
  type SeedMembership,
  type SeedOrganization,
} from './people.js';
import { type Prng, prngFor } from './prng.js';

/**
 * A membership as `GET /v2/memberships` lists it: the fields of Qonto's example
 * (https://docs.qonto.com/api-reference/business-api/accounts-organizations/memberships/list-memberships), in that
 * order, plus the organization it belongs to (not served). An `invitable` member (someone who can be invited, not
 * yet a user) has a null `role` and `team_id`, as real clients meet them.
 */
export interface SeedMemberListing {
  organizationId: string;
  id: string;
  first_name: string;
  last_name: string;
  role: MemberRole | null;
  residence_country: string;
  birthdate: string;
  nationality: string;
  ubo: boolean;
  birth_country: string;
  status: 'active' | 'invitable';
  team_id: string | null;
}

const COUNTRIES = ['FR', 'FR', 'FR', 'BE', 'IT', 'ES', 'DE'];

/**
 * Members of the second organization who never log in, so that its list holds every role (with the owner and the
 * manager who do log in) and two `invitable` members.
 */
const ROSTER: readonly { role: MemberRole | null; status: SeedMemberListing['status'] }[] = [
  { role: 'admin', status: 'active' },
  { role: 'reporting', status: 'active' },
  { role: 'employee', status: 'active' },
  { role: 'employee', status: 'active' },
  { role: 'accountant', status: 'active' },
  { role: null, status: 'invitable' },
  { role: null, status: 'invitable' },
];

function birthData(prng: Prng): Pick<SeedMemberListing, 'birthdate' | 'nationality' | 'birth_country'> {
  const year = prng.int(1960, 2000);
  const birthdate = `${year}-${String(prng.int(1, 12)).padStart(2, '0')}-${String(prng.int(1, 28)).padStart(2, '0')}`;
  return { birthdate, nationality: prng.pick(COUNTRIES), birth_country: prng.pick(COUNTRIES) };
}

/**
 * The list entries of every membership, in seed order, then the second organization's roster. The extra fields come
 * from a `member-list` stream of their own and the roster from a `member-roster` stream, so the memberships
 * `GET /v2/membership` serves are unchanged.
 */
export function seedMemberListings(
  seed: number,
  organizations: SeedOrganization[],
  memberships: SeedMembership[],
): SeedMemberListing[] {
  const prng = prngFor(seed, 'member-list');
  const listed = memberships.map((m) => {
    const { birthdate, nationality, birth_country } = birthData(prng);
    return {
      organizationId: m.organizationId,
      id: m.id,
      first_name: m.first_name,
      last_name: m.last_name,
      role: m.role,
      residence_country: 'FR',
      birthdate,
      nationality,
      ubo: m.role === 'owner',
      birth_country,
      status: m.status,
      team_id: m.team_id,
    };
  });
  const second = organizations[1];
  if (!second) return listed;
  const roster = prngFor(seed, 'member-roster');
  const rosterTeam = roster.uuid();
  return [
    ...listed,
    ...ROSTER.map(({ role, status }) => {
      const id = roster.uuid();
      const first_name = roster.pick(FIRST_NAMES);
      const last_name = roster.pick(LAST_NAMES);
      const { birthdate, nationality, birth_country } = birthData(roster);
      return {
        organizationId: second.id,
        id,
        first_name,
        last_name,
        role,
        residence_country: 'FR',
        birthdate,
        nationality,
        ubo: false,
        birth_country,
        status,
        team_id: role === null ? null : rosterTeam,
      };
    }),
  ];
}
