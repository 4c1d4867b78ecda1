/**
 * A map whose entries vanish after `ttlMs` (on a timer that does not keep the process alive) or when taken: what one
 * sign-in hands from Better Auth's provider calls to the plugin's hook, in the same process, seconds apart.
 */
export class ShortLivedMap<V> {
  readonly #entries = new Map<string, { value: V; timer: ReturnType<typeof setTimeout> }>();
  readonly #ttlMs: number;

  constructor(ttlMs: number) {
    this.#ttlMs = ttlMs;
  }

  set(key: string, value: V): void {
    this.#drop(key);
    const timer = setTimeout(() => {
      if (this.#entries.get(key)?.timer === timer) this.#entries.delete(key);
    }, this.#ttlMs);
    (timer as { unref?: () => void }).unref?.();
    this.#entries.set(key, { value, timer });
  }

  /** The value, removed from the map. */
  take(key: string): V | undefined {
    const entry = this.#entries.get(key);
    this.#drop(key);
    return entry?.value;
  }

  #drop(key: string): void {
    const entry = this.#entries.get(key);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.#entries.delete(key);
  }
}
