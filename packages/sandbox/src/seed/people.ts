import type { SandboxUser } from '../types.js';
import { prngFor } from './prng.js';

/** An organization as `GET /v2/organization` returns it, bank accounts aside (Qonto's snake_case fields). */
export interface SeedOrganization {
  id: string;
  /** The trading name: the legal name without its legal form. */
  name: string;
  slug: string;
  /** Only `[A-Za-z0-9 .-]`, so it reads the same after HTML escaping. */
  legal_name: string;
  legal_number: string;
  legal_sector: string;
  legal_registration_date: string;
  legal_address: string;
  /** Its shape is not published; the emulator sends the legal address (emulator choice). */
  address: string;
  legal_form: string;
  legal_country: string;
  legal_share_capital: number;
  locale: string;
  contract_signed_at: string;
}

/** The roles of Qonto's memberships (qontoctl's membership schema). */
export type MemberRole = 'owner' | 'admin' | 'manager' | 'reporting' | 'employee' | 'accountant';

/** One user in one organization, with the fields `GET /v2/membership` returns (snake_case) and the links. */
export interface SeedMembership {
  id: string;
  userId: string;
  organizationId: string;
  first_name: string;
  last_name: string;
  email: string;
  phone_number: string;
  position: string;
  status: 'active';
  role: MemberRole;
  locale: string;
  team_id: string;
  kyc_status: 'accepted';
}

export const FIRST_NAMES = [
  'Camille',
  'Louise',
  'Hugo',
  'Ines',
  'Jules',
  'Manon',
  'Arthur',
  'Chloe',
  'Lucas',
  'Lea',
];
export const LAST_NAMES = [
  'Martin',
  'Bernard',
  'Dubois',
  'Moreau',
  'Laurent',
  'Simon',
  'Michel',
  'Lefebvre',
  'Garcia',
];
const TRADES = [
  'Atelier',
  'Boulangerie',
  'Studio',
  'Garage',
  'Cabinet',
  'Librairie',
  'Brasserie',
  'Menuiserie',
];
const FORMS = ['SAS', 'SARL', 'SA'] as const;
const SECTORS = ['6201Z', '1071C', '7410Z', '4520A', '6920Z', '4761Z'];
const STREETS = [
  'rue de la Paix',
  'avenue Jean Jaures',
  'boulevard Voltaire',
  'rue du Faubourg',
  'quai des Chartrons',
];
const CITIES = ['75002 Paris', '69003 Lyon', '33000 Bordeaux', '44000 Nantes', '31000 Toulouse'];
const POSITIONS = ['CEO', 'CFO', 'Founder', 'Office manager'];

function isoDate(year: number, month: number, day: number): string {
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Three organizations: users[0] owns the first two, users[1] administers the first. */
export function seedOrganizations(seed: number): SeedOrganization[] {
  const prng = prngFor(seed, 'organizations');
  const trades = [...TRADES];
  return [0, 1, 2].map(() => {
    // Draw trades without replacement so two organizations never share a legal name.
    const trade = trades.splice(prng.int(0, trades.length - 1), 1)[0] as string;
    const form = prng.pick(FORMS);
    const name = `${trade} ${prng.pick(LAST_NAMES)}`;
    const legalName = `${name} ${form}`;
    const year = prng.int(2016, 2023);
    const month = prng.int(1, 12);
    const day = prng.int(1, 28);
    const id = prng.uuid();
    const slug = `${legalName.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${prng.digits(4)}`;
    const legalNumber = prng.digits(9);
    const legalSector = prng.pick(SECTORS);
    const legalAddress = `${prng.int(1, 120)} ${prng.pick(STREETS)}, ${prng.pick(CITIES)}`;
    const shareCapital = prng.pick([1000, 5000, 10000, 50000]);
    // Qonto's documented form, "2022-12-01 08:57:00.123047": a real time of day (minutes 00-59), same draws as ever.
    const signedAt = `${isoDate(year, month, day)} 0${prng.int(8, 9)}:${prng.int(0, 5)}${prng.digits(1)}:00.${prng.digits(6)}`;
    return {
      id,
      name,
      slug,
      legal_name: legalName,
      legal_number: legalNumber,
      legal_sector: legalSector,
      legal_registration_date: isoDate(year, month, day),
      legal_address: legalAddress,
      address: legalAddress,
      legal_form: form,
      legal_country: 'FR',
      legal_share_capital: shareCapital,
      locale: 'fr',
      contract_signed_at: signedAt,
    };
  });
}

/**
 * The users who can log in, with their memberships. users[0] owns the first two organizations; users[1] administers
 * the first; users[2] is a `manager` of the second (added last, so the others draw the same values as before).
 */
export function seedPeople(
  seed: number,
  organizations: SeedOrganization[],
): { users: SandboxUser[]; memberships: SeedMembership[] } {
  const prng = prngFor(seed, 'people');
  const [first, second] = organizations;
  if (!first || !second) throw new Error('seedPeople needs at least two organizations');
  const plan: { organizations: SeedOrganization[]; role: SeedMembership['role'] }[] = [
    { organizations: [first, second], role: 'owner' },
    { organizations: [first], role: 'admin' },
    { organizations: [second], role: 'manager' },
  ];
  const firstNames = [...FIRST_NAMES];
  const users: SandboxUser[] = [];
  const memberships: SeedMembership[] = [];
  for (const entry of plan) {
    const firstName = firstNames.splice(prng.int(0, firstNames.length - 1), 1)[0] as string;
    const lastName = prng.pick(LAST_NAMES);
    const user: SandboxUser = {
      id: prng.uuid(),
      email: `${firstName}.${lastName}@example.com`.toLowerCase(),
      password: `sandbox-${firstName.toLowerCase()}`,
      firstName,
      lastName,
      organizations: entry.organizations.map((o) => ({ id: o.id, slug: o.slug, legalName: o.legal_name })),
    };
    users.push(user);
    for (const organization of entry.organizations) {
      memberships.push({
        id: prng.uuid(),
        userId: user.id,
        organizationId: organization.id,
        first_name: firstName,
        last_name: lastName,
        email: user.email,
        phone_number: `+336${prng.digits(8)}`,
        position: prng.pick(POSITIONS),
        status: 'active',
        role: entry.role,
        locale: 'fr',
        team_id: prng.uuid(),
        kyc_status: 'accepted',
      });
    }
  }
  return { users, memberships };
}
