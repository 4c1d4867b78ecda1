import { inspect } from 'node:util';

/**
 * A logger for either framework that keeps every call. Auth.js calls `error(error)`, `warn(code)`,
 * `debug(message, metadata)`; NextAuth v4 calls `error(code, metadata)`, `warn(code)`, `debug(code, metadata)`.
 */
export class RecordingLogger {
  readonly entries: { level: 'error' | 'warn' | 'debug'; args: unknown[] }[] = [];
  readonly error = (...args: unknown[]) => this.#push('error', args);
  readonly warn = (...args: unknown[]) => this.#push('warn', args);
  readonly debug = (...args: unknown[]) => this.#push('debug', args);

  #push(level: 'error' | 'warn' | 'debug', args: unknown[]): void {
    this.entries.push({ level, args });
  }

  /** Everything logged, printed as deeply as Node prints it (causes, nested objects, hidden fields). */
  text(): string {
    return this.entries
      .map(
        ({ level, args }) =>
          `${level} ${inspect(args, { depth: Number.POSITIVE_INFINITY, showHidden: true })}`,
      )
      .join('\n');
  }

  /** What was logged at the error level, printed the same way. */
  errorText(): string {
    return this.entries
      .filter((e) => e.level === 'error')
      .map(({ args }) => inspect(args, { depth: Number.POSITIVE_INFINITY, showHidden: true }))
      .join('\n');
  }
}
