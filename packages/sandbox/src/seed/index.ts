import type { SandboxUser } from '../types.js';
import { type SeedAttachment, seedAttachments } from './attachments.js';
import { type SeedBankAccount, seedBankAccounts } from './bank-accounts.js';
import { type SeedLabel, seedLabels } from './labels.js';
import { type SeedMemberListing, seedMemberListings } from './member-list.js';
import { type SeedMembership, type SeedOrganization, seedOrganizations, seedPeople } from './people.js';
import { type SeedStatement, seedStatements } from './statements.js';
import { type SeedTransaction, seedTransactions } from './transactions.js';

export type { SeedAttachment } from './attachments.js';
export type { SeedBankAccount } from './bank-accounts.js';
export type { SeedLabel } from './labels.js';
export type { SeedMemberListing } from './member-list.js';
export type { SeedMembership, SeedOrganization } from './people.js';
export type { SeedStatement } from './statements.js';
export type { SeedTransaction } from './transactions.js';

/** The seed used when none is given; the demo users printed by `@qonto-oauth/sandbox/demo` come from it. */
export const DEFAULT_SEED = 4010;

/** Everything the emulator serves, generated from one seed. */
export interface SeedData {
  users: SandboxUser[];
  organizations: SeedOrganization[];
  memberships: SeedMembership[];
  /** The same memberships as `GET /v2/memberships` lists them. */
  memberListings: SeedMemberListing[];
  bankAccounts: SeedBankAccount[];
  /** 300 per main account, newest first, dated back from `startTime`. */
  transactions: SeedTransaction[];
  /** The same label tree in every organization; transactions' `label_ids` point at them. */
  labels: SeedLabel[];
  /** A receipt PDF for each of the transactions' `attachment_ids`. */
  attachments: SeedAttachment[];
  /** Monthly statements of every bank account, each with its PDF. */
  statements: SeedStatement[];
}

/** The users only: no dates involved, so `@qonto-oauth/sandbox/demo` can list them without starting anything. */
export function seedUsers(seed: number = DEFAULT_SEED): SandboxUser[] {
  return seedPeople(seed, seedOrganizations(seed)).users;
}

/**
 * The whole data set for `seed`; `startTime` (epoch ms) anchors the dates that move with the emulator's clock.
 * Each kind of data has its own PRNG stream, so adding one never changes another.
 */
export function createSeedData(seed: number, startTime: number): SeedData {
  const organizations = seedOrganizations(seed);
  const { users, memberships } = seedPeople(seed, organizations);
  const bankAccounts = seedBankAccounts(seed, organizations, startTime);
  const labels = seedLabels(seed, organizations);
  const transactions = seedTransactions(seed, organizations, memberships, bankAccounts, labels, startTime);
  const ownerOf = new Map(bankAccounts.map((a) => [a.id, a.organization_id]));
  return {
    users,
    organizations,
    memberships,
    memberListings: seedMemberListings(seed, organizations, memberships),
    bankAccounts,
    transactions,
    labels,
    attachments: seedAttachments(seed, transactions, (id) => ownerOf.get(id) ?? '', startTime),
    statements: seedStatements(seed, bankAccounts, transactions, startTime),
  };
}
