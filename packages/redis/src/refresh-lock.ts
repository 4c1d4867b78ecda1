import { randomUUID } from 'node:crypto';
import { QontoTokenStoreError } from '@qonto-oauth/core';
import type { Cluster, Redis } from 'ioredis';
import { parseSharedFailure, reviveFailure, shareableFailure } from './shared-failure.js';

/** Takes the lock if it is free ('OK'), else answers who holds it, atomically. */
const ACQUIRE = `if redis.call('set', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 'OK' end return redis.call('get', KEYS[1])`;
/** Extends the lease, only if this holder still owns the lock. */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0`;
/** Deletes the lock, only if this holder still owns it (never another process's lock taken after a lapse). */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0`;

/** Longest wait for another process's refresh: its request timeout (30 s) plus a dead holder's lease, with room. */
export const MAX_LOCK_WAIT_MS = 60_000;
/** Waiters check the lock this often at most, so they get the saved set within this of its release. */
const MAX_POLL_MS = 20;

export interface LockOptions {
  client: Redis | Cluster;
  lockKey: string;
  leaseMs: number;
  /** What the lock guards, for messages: `connection "org-1"`. */
  subject: string;
  /** The connection's key, when the lock guards one. */
  key: string | undefined;
  /** Runs a Redis command, turning a failure into the store's typed error. */
  run: <T>(doing: string, command: () => Promise<T>) => Promise<T>;
}

/**
 * Runs `task` holding the lock at `lockKey` (a random token, set with NX and a lease): waits while another process
 * holds it, renews the lease every third of it while `task` runs, and releases it only if it is still this
 * holder's. Should this process die, the lease runs out and the next waiter takes over. When `task` fails with one
 * of core's errors, the processes that waited on this attempt get the same error instead of trying in turn (a
 * Qonto that hangs would otherwise hold each of them for a request timeout).
 */
export async function withLock<T>(o: LockOptions, task: () => Promise<T>): Promise<T> {
  const token = randomUUID();
  const failureKey = `${o.lockKey}:failure`;
  const waitedOn = await acquire(o, token);
  if (waitedOn.size > 0) {
    let failure: ReturnType<typeof parseSharedFailure>;
    try {
      failure = parseSharedFailure(
        await o.run(`reading the last refresh of ${o.subject}`, () => o.client.get(failureKey)),
      );
    } catch (error) {
      // Held, but unable to go on: released now, not left to lapse while every other process waits.
      await release(o, token);
      throw error;
    }
    if (failure !== undefined && waitedOn.has(failure.holder)) {
      await release(o, token);
      throw reviveFailure(failure.error);
    }
  }
  const renewal = setInterval(
    () => {
      o.client.eval(RENEW, 1, o.lockKey, token, o.leaseMs).catch(() => {
        // Redis unreachable: the lease may lapse and another process take over, as it would if this one died.
      });
    },
    Math.floor(o.leaseMs / 3),
  );
  renewal.unref();
  try {
    return await task();
  } catch (error) {
    const failure = shareableFailure(token, error);
    if (failure !== undefined) {
      // Kept while the waiters take the lock in turn; a lost write only means they try again themselves.
      await o.client.set(failureKey, failure, 'PX', o.leaseMs).catch(() => {});
    }
    throw error;
  } finally {
    clearInterval(renewal);
    await release(o, token);
  }
}

function release(o: LockOptions, token: string): Promise<unknown> {
  return o.client.eval(RELEASE, 1, o.lockKey, token).catch(() => {
    // Unreleased, the lock lapses after its lease.
  });
}

/** Takes the lock, waiting while others hold it; resolves with the holders it waited on. */
async function acquire(o: LockOptions, token: string): Promise<Set<string>> {
  const deadline = Date.now() + MAX_LOCK_WAIT_MS;
  const waitedOn = new Set<string>();
  let pause = 5;
  for (;;) {
    const answer = await o.run(`taking the refresh lock of ${o.subject}`, () =>
      o.client.eval(ACQUIRE, 1, o.lockKey, token, o.leaseMs),
    );
    if (answer === 'OK') return waitedOn;
    if (typeof answer === 'string') waitedOn.add(answer);
    if (Date.now() >= deadline) {
      throw new QontoTokenStoreError(
        `Another process has held the refresh lock of ${o.subject} for over ${MAX_LOCK_WAIT_MS / 1000} s, ` +
          'renewing it without finishing: a refresh should end within its 30 s request timeout. Look for a ' +
          'process stuck refreshing; the lock lapses once it stops.',
        { key: o.key },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, pause * (0.5 + Math.random())));
    pause = Math.min(pause * 2, MAX_POLL_MS);
  }
}
