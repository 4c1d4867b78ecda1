/** The `log` option: one line per answered request and per webhook delivery attempt. */
export type LogCallback = (line: string) => void;

/** Refuses a `log` option that is not a function, at start rather than on the first request. */
export function assertLogOption(log: unknown): asserts log is LogCallback | undefined {
  if (log !== undefined && typeof log !== 'function') {
    throw new TypeError(
      `log must be a function receiving each line, such as (line) => console.log(line), not ${JSON.stringify(log)}.`,
    );
  }
}

/**
 * `log` as the emulator calls it: it runs inside the server's event handlers, where a throw would be uncaught and
 * end the user's process, so a callback that throws loses that line only. The first failure is told once, as a
 * process warning, so the missing lines have a reason.
 */
export function guardedLog(log: LogCallback | undefined): LogCallback | undefined {
  if (log === undefined) return undefined;
  let warned = false;
  return (line) => {
    try {
      log(line);
    } catch (error) {
      if (warned) return;
      warned = true;
      process.emitWarning(
        `The log callback of the Qonto sandbox emulator threw (${error instanceof Error ? error.message : String(error)}): its lines are dropped while it throws.`,
        { code: 'QONTO_SANDBOX_LOG_FAILED' },
      );
    }
  };
}
