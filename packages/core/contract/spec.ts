/**
 * A small language for the shapes of Qonto's answers, read both at run time (the emulator's contract test checks
 * every answer against it) and at type level (core's types are checked against it): field names, types,
 * nullability, presence, and where each field's type comes from.
 */

/**
 * Where a field's type comes from: Qonto's documentation (`doc`), real clients' code that runs against Qonto
 * (`comm`: formance, qontoctl), or no source, so the emulator chose it (`emulator`).
 */
export type Source = 'doc' | 'comm' | 'emulator';

export type Scalar = 'string' | 'number' | 'boolean' | 'string[]';

export interface ObjectSpec {
  kind: 'object';
  fields: Readonly<Record<string, FieldSpec>>;
}

export interface ArraySpec {
  kind: 'array';
  items: ObjectSpec;
}

export interface FieldSpec {
  type: Scalar | ObjectSpec | ArraySpec;
  source: Source;
  /** The value can be null. */
  nullable?: boolean;
  /** The field is absent from some answers (an embed of `includes[]`, a per-type object). */
  optional?: boolean;
}

interface Flags {
  nullable?: boolean;
  optional?: boolean;
}

/** A field of `type`, whose type `source` gives. */
export function field<const T extends FieldSpec['type'], const F extends Flags = Record<never, never>>(
  type: T,
  source: Source,
  flags?: F,
): { type: T; source: Source } & NoInfer<F> {
  return { type, source, ...(flags as F) };
}

/** An object with these fields, in the order Qonto sends them. */
export function object<const F extends Readonly<Record<string, FieldSpec>>>(
  fields: F,
): { kind: 'object'; fields: F } {
  return { kind: 'object', fields };
}

/** A list of objects of one shape. */
export function arrayOf<const I extends ObjectSpec>(items: I): { kind: 'array'; items: I } {
  return { kind: 'array', items };
}

type TypeOf<T> = T extends 'string'
  ? string
  : T extends 'number'
    ? number
    : T extends 'boolean'
      ? boolean
      : T extends 'string[]'
        ? string[]
        : T extends { kind: 'object'; fields: infer F }
          ? ShapeOf<F>
          : T extends { kind: 'array'; items: { fields: infer F } }
            ? ShapeOf<F>[]
            : never;

type FieldType<S> = S extends { type: infer T }
  ? TypeOf<T> | (S extends { nullable: true } ? null : never)
  : never;

type Simplify<T> = { [K in keyof T]: T[K] } & {};

/** The TypeScript type of an object whose fields are `F`: what a conforming answer is. */
export type ShapeOf<F> = Simplify<
  { [K in keyof F as F[K] extends { optional: true } ? never : K]: FieldType<F[K]> } & {
    [K in keyof F as F[K] extends { optional: true } ? K : never]?: FieldType<F[K]>;
  }
>;

/** The TypeScript type of an {@link ObjectSpec}. */
export type Shape<S> = S extends { fields: infer F } ? ShapeOf<F> : never;

function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

/**
 * Every way `value` departs from `spec`, one line each with its path (empty when it conforms): a missing field, a
 * field the spec does not name, a wrong type, a null where none is allowed.
 */
export function conformance(value: unknown, spec: ObjectSpec, path = '$'): string[] {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return [`${path}: expected an object, got ${typeName(value)}`];
  }
  const record = value as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(record)) {
    if (!(key in spec.fields)) problems.push(`${path}.${key}: not in the contract`);
  }
  for (const [key, f] of Object.entries(spec.fields)) {
    const at = `${path}.${key}`;
    if (!(key in record)) {
      if (!f.optional) problems.push(`${at}: missing`);
      continue;
    }
    problems.push(...fieldConformance(record[key], f, at));
  }
  return problems;
}

function fieldConformance(value: unknown, f: FieldSpec, at: string): string[] {
  if (value === null) return f.nullable ? [] : [`${at}: null, which the contract does not allow`];
  const type = f.type;
  if (type === 'string[]') {
    return Array.isArray(value) && value.every((v) => typeof v === 'string')
      ? []
      : [`${at}: expected a list of strings, got ${typeName(value)}`];
  }
  if (typeof type === 'string') {
    return typeof value === type ? [] : [`${at}: expected ${type}, got ${typeName(value)}`];
  }
  if (type.kind === 'object') return conformance(value, type, at);
  if (!Array.isArray(value)) return [`${at}: expected a list, got ${typeName(value)}`];
  return value.flatMap((item, i) => conformance(item, type.items, `${at}[${i}]`));
}
