/**
 * A small seeded pseudo-random generator (mulberry32): the same seed gives the same sequence on every machine, so
 * the emulator's seed data is reproducible. Not for secrets: tokens and codes come from `node:crypto`.
 */
export interface Prng {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T;
  /** `length` decimal digits. */
  digits(length: number): string;
  /** `length` lowercase hexadecimal digits. */
  hex(length: number): string;
  /** A UUID-shaped id (version nibble 4, variant 10xx) drawn from this generator. */
  uuid(): string;
}

/** mulberry32 over a 32-bit seed. */
export function createPrng(seed: number): Prng {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const hex = (length: number): string => {
    let out = '';
    for (let i = 0; i < length; i++) out += int(0, 15).toString(16);
    return out;
  };
  return {
    next,
    int,
    pick: <T>(items: readonly T[]): T => items[int(0, items.length - 1)] as T,
    digits: (length: number) => {
      let out = '';
      for (let i = 0; i < length; i++) out += String(int(0, 9));
      return out;
    },
    hex,
    uuid: () => `${hex(8)}-${hex(4)}-4${hex(3)}-${(8 + int(0, 3)).toString(16)}${hex(3)}-${hex(12)}`,
  };
}

/**
 * A generator for one kind of seed data, independent of the others: adding a new kind (or drawing more values for
 * one) never changes the values of another kind for the same seed.
 */
export function prngFor(seed: number, stream: string): Prng {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < stream.length; i++) h = Math.imul(h ^ stream.charCodeAt(i), 16777619);
  return createPrng(h >>> 0);
}
