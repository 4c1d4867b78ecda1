import { describe, expectTypeOf, it } from 'vitest';
import type * as shapes from '../contract/qonto-shapes.js';
import type { Shape } from '../contract/spec.js';
import type {
  QontoAttachment,
  QontoBankAccount,
  QontoLabel,
  QontoMember,
  QontoMembership,
  QontoOrganization,
  QontoStatement,
  QontoTransaction,
  QontoWebhookSubscription,
} from '../src/index.js';

/** The named fields of a type, its index signature left out. */
type KnownKeys<T> = keyof { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };
/** The named fields a type promises are always there. */
type RequiredKeys<T> = {
  [K in KnownKeys<T>]-?: Record<never, never> extends Pick<T, K> ? never : K;
}[KnownKeys<T>];
/** Every key of every variant of an answer. */
type AllKeys<T> = T extends unknown ? keyof T : never;

/**
 * What "core's type matches Qonto's answers" means, for the variants `A` of an answer (a manager's view, an
 * organization's embed…): each variant is assignable to the type (its types and nulls are accepted); every field the
 * type requires is always sent; every field the type names is sent by some variant; every field sent is named.
 */
interface Mismatches<T, A> {
  refused: A extends T ? never : A;
  promisedNotAlwaysSent: A extends unknown ? Exclude<RequiredKeys<T>, RequiredKeys<A>> : never;
  namedNeverSent: Exclude<KnownKeys<T>, AllKeys<A>>;
  sentNotNamed: Exclude<AllKeys<A>, KnownKeys<T>>;
}

/** `never` when nothing mismatches; otherwise the mismatches, which the compiler then prints. */
type Matches<T, A, M extends Mismatches<T, A> = Mismatches<T, A>> = [
  M['refused'] | M['promisedNotAlwaysSent'] | M['namedNeverSent'] | M['sentNotNamed'],
] extends [never]
  ? never
  : M;

describe("core's resource types match Qonto's answers (shapes of contract/qonto-shapes.ts)", () => {
  it('QontoTransaction', () => {
    expectTypeOf<Matches<QontoTransaction, Shape<typeof shapes.transaction>>>().toEqualTypeOf<never>();
  });

  it('QontoBankAccount, as listed, as a manager sees it, and as the organization embeds it', () => {
    expectTypeOf<
      Matches<
        QontoBankAccount,
        | Shape<typeof shapes.bankAccount>
        | Shape<typeof shapes.bankAccountForManager>
        | Shape<typeof shapes.organizationBankAccount>
        | Shape<typeof shapes.organizationBankAccountForManager>
      >
    >().toEqualTypeOf<never>();
  });

  it('QontoOrganization, for an owner and for a manager', () => {
    expectTypeOf<
      Matches<
        QontoOrganization,
        Shape<typeof shapes.organization> | Shape<typeof shapes.organizationForManager>
      >
    >().toEqualTypeOf<never>();
  });

  it('QontoMembership, QontoLabel, QontoAttachment, QontoStatement', () => {
    expectTypeOf<Matches<QontoMembership, Shape<typeof shapes.membership>>>().toEqualTypeOf<never>();
    expectTypeOf<Matches<QontoLabel, Shape<typeof shapes.label>>>().toEqualTypeOf<never>();
    expectTypeOf<Matches<QontoAttachment, Shape<typeof shapes.attachment>>>().toEqualTypeOf<never>();
    expectTypeOf<Matches<QontoStatement, Shape<typeof shapes.statement>>>().toEqualTypeOf<never>();
  });

  it('QontoMember, as GET /v2/memberships lists it', () => {
    expectTypeOf<Matches<QontoMember, Shape<typeof shapes.memberListing>>>().toEqualTypeOf<never>();
  });

  it('QontoWebhookSubscription, as created (with its secret) and as listed', () => {
    expectTypeOf<
      Matches<QontoWebhookSubscription, Shape<typeof shapes.webhookSubscription>>
    >().toEqualTypeOf<never>();
  });

  it('catches a type that promises a field Qonto does not send, or refuses a null Qonto sends', () => {
    type Promising = QontoLabel & { color: string };
    expectTypeOf<Matches<Promising, Shape<typeof shapes.label>>>().not.toEqualTypeOf<never>();
    type NoNull = Omit<QontoLabel, 'parent_id'> & { parent_id?: string };
    expectTypeOf<Matches<NoNull, Shape<typeof shapes.label>>>().not.toEqualTypeOf<never>();
    type Silent = { id: string; name?: string };
    expectTypeOf<Matches<Silent, Shape<typeof shapes.label>>>().not.toEqualTypeOf<never>();
    type Naming = QontoLabel & { color?: string };
    expectTypeOf<Matches<Naming, Shape<typeof shapes.label>>>().not.toEqualTypeOf<never>();
  });
});
