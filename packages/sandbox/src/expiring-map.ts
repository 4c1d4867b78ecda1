/** How long an {@link ExpiringMap} keeps its entries, and how many at most. */
export interface ExpiringMapOptions<K, V> {
  /** Each entry is dropped this long (emulator clock) after it was set. */
  keepMs: number;
  /** Past this many entries, the oldest is dropped. */
  capacity: number;
  /** The emulator clock. */
  now: () => number;
  /** Told about every entry dropped by age or capacity (not by `delete`). */
  onDrop?: (key: K, value: V) => void;
}

/**
 * A `Map` of bounded size: entries expire `keepMs` after they were set, and the oldest go first once `capacity` is
 * reached. Every entry lives the same time, so insertion order is expiry order and pruning only looks at the head:
 * each `set` prunes for free, whatever the size.
 */
export class ExpiringMap<K, V> {
  readonly #entries = new Map<K, { value: V; expiresAt: number }>();

  constructor(private readonly o: ExpiringMapOptions<K, V>) {}

  /** The value, or `undefined` when absent or past its time (pruned lazily). */
  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    return entry !== undefined && entry.expiresAt > this.o.now() ? entry.value : undefined;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  /** Sets `key` (a set key moves to the end: it lives `keepMs` from now) and prunes. */
  set(key: K, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expiresAt: this.o.now() + this.o.keepMs });
    this.prune();
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }

  /** Entries held, expired ones not yet pruned included. */
  get size(): number {
    return this.#entries.size;
  }

  /** The live values, oldest first. */
  *values(): IterableIterator<V> {
    const now = this.o.now();
    for (const entry of this.#entries.values()) if (entry.expiresAt > now) yield entry.value;
  }

  /** Drops the expired entries and those beyond `capacity`, oldest first. */
  prune(): void {
    const now = this.o.now();
    for (const [key, entry] of this.#entries) {
      if (entry.expiresAt > now && this.#entries.size <= this.o.capacity) return;
      this.#entries.delete(key);
      this.o.onDrop?.(key, entry.value);
    }
  }
}
