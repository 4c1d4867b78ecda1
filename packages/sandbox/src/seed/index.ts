import type { SandboxUser } from '../types.js';
import { type SeedBankAccount, seedBankAccounts } from './bank-accounts.js';
import { type SeedMembership, type SeedOrganization, seedOrganizations, seedPeople } from './people.js';

export type { SeedBankAccount } from './bank-accounts.js';
export type { SeedMembership, SeedOrganization } from './people.js';

/** The seed used when none is given; the demo users printed by `@qonto-oauth/sandbox/demo` come from it. */
export const DEFAULT_SEED = 4010;

/** Everything the emulator serves, generated from one seed. */
export interface SeedData {
  users: SandboxUser[];
  organizations: SeedOrganization[];
  memberships: SeedMembership[];
  bankAccounts: SeedBankAccount[];
  // Part 2 adds `transactions` here: 300 per main account, dated back from `startTime`, drawn from a
  // `prngFor(seed, 'transactions')` stream of their own so they leave the data above unchanged.
}

/** The users only: no dates involved, so `@qonto-oauth/sandbox/demo` can list them without starting anything. */
export function seedUsers(seed: number = DEFAULT_SEED): SandboxUser[] {
  return seedPeople(seed, seedOrganizations(seed)).users;
}

/** The whole data set for `seed`; `startTime` (epoch ms) anchors the dates that move with the emulator's clock. */
export function createSeedData(seed: number, startTime: number): SeedData {
  const organizations = seedOrganizations(seed);
  const { users, memberships } = seedPeople(seed, organizations);
  return {
    users,
    organizations,
    memberships,
    bankAccounts: seedBankAccounts(seed, organizations, startTime),
  };
}
