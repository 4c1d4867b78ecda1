/** Node clamps a longer timer delay to 1 ms (with a warning): a longer wait re-arms instead. */
const MAX_TIMER_MS = 2 ** 31 - 1;

interface PendingWait {
  deadline: number;
  timer: NodeJS.Timeout | undefined;
  finish(reached: boolean): void;
}

/** A wait on the emulator clock: `reached` is true once the clock got to the deadline, false when ended first. */
export interface ClockWait {
  reached: Promise<boolean>;
  /** Ends the wait before its deadline (its request's client went away); `reached` then resolves to false. */
  end(): void;
}

/**
 * Waits until the emulator clock reaches a deadline (the requests `faults.latency` holds). The timers are unref'd,
 * {@link wake} (called when the clock is moved) ends the waits now due, and {@link close} ends them all, so no
 * wait outlives the emulator or keeps a test process alive.
 */
export class ClockWaits {
  readonly #pending = new Set<PendingWait>();
  #closed = false;

  constructor(private readonly now: () => number) {}

  until(deadline: number): ClockWait {
    let finish: (reached: boolean) => void = () => {};
    const reached = new Promise<boolean>((resolve) => {
      const wait: PendingWait = {
        deadline,
        timer: undefined,
        finish: (outcome) => {
          if (!this.#pending.delete(wait)) return;
          clearTimeout(wait.timer);
          resolve(outcome);
        },
      };
      finish = wait.finish;
      if (this.#closed) {
        resolve(false);
        return;
      }
      this.#pending.add(wait);
      this.#arm(wait);
    });
    return { reached, end: () => finish(false) };
  }

  /** Re-reads the emulator clock: the waits whose deadline it passed end. */
  wake(): void {
    for (const wait of this.#pending) if (this.now() >= wait.deadline) wait.finish(true);
  }

  /** Ends every wait and clears its timer; later waits end at once. */
  close(): void {
    this.#closed = true;
    for (const wait of this.#pending) wait.finish(false);
  }

  #arm(wait: PendingWait): void {
    const left = wait.deadline - this.now();
    if (left <= 0) {
      wait.finish(true);
      return;
    }
    wait.timer = setTimeout(() => this.#arm(wait), Math.min(left, MAX_TIMER_MS));
    wait.timer.unref();
  }
}
