import { type ClientRequest, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { WEBHOOK_DELIVERY_LOG_SIZE, WEBHOOK_MAX_IN_FLIGHT, WEBHOOK_PENDING_CAPACITY } from '../limits.js';
import { QONTO_SIGNATURE_HEADER, qontoSignature } from './signature.js';
import type { SandboxWebhookAttempt, SandboxWebhookDelivery } from './types.js';

/** Qonto waits at most 1 s for the callback's 2xx (https://docs.qonto.com/api-reference/business-api/webhooks/overview). */
export const WEBHOOK_TIMEOUT_MS = 1000;

/**
 * When a failed delivery is tried again, after the start of the previous attempt (emulator clock): 1 min, 5 min, 30 min, 2 h,
 * 6 h, so six attempts in all. Qonto retries "later" without a documented schedule: **emulator choice**.
 */
export const DEFAULT_WEBHOOK_RETRY_DELAYS_MS: readonly number[] = Object.freeze([
  60_000, 300_000, 1_800_000, 7_200_000, 21_600_000,
]);

/** What a delivery needs of its subscription: where to POST, the secret to sign with, whether it still exists. */
export interface DeliveryTarget {
  subscriptionId: string;
  clientId: string;
  organizationId: string;
  callbackUrl: string;
  secret: string;
}

interface Delivery {
  record: SandboxWebhookDelivery;
  url: URL;
  secret: string;
  /** Told once the first attempt has ended, whatever its outcome. */
  firstAttemptDone: () => void;
}

/** The callback URL as the log shows it: no query string, no fragment (either may carry a secret of the app). */
function withoutQuery(url: URL): string {
  return `${url.origin}${url.pathname}`;
}

/**
 * Sends webhook deliveries and retries them. Every attempt is one POST on its own connection (no keep-alive, so no
 * socket outlives it), signed at send time, cut after {@link WEBHOOK_TIMEOUT_MS}; at most
 * {@link WEBHOOK_MAX_IN_FLIGHT} at once, so a slow callback holds at most that many sockets for 1 s and never the
 * emulator's own answers. Retries are due by the emulator clock: one timer waits for the earliest, and
 * {@link wake} (called when the clock is moved) re-reads it, so `sandbox.clock.advance(60_000)` brings the first
 * retry at once. The log and the waiting queue are bounded ({@link WEBHOOK_DELIVERY_LOG_SIZE},
 * {@link WEBHOOK_PENDING_CAPACITY}).
 */
export class WebhookDispatcher {
  readonly #log: Delivery[] = [];
  /** Deliveries whose next attempt is due at `record.nextAttemptAt` (or now, for a first attempt). */
  readonly #waiting = new Set<Delivery>();
  readonly #inFlight = new Set<ClientRequest>();
  #timer: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(
    private readonly o: {
      now: () => number;
      retryDelaysMs: readonly number[];
      /** Whether the subscription still exists: a deleted one's retries stop. */
      isLive: (subscriptionId: string) => boolean;
      /** Receives one line per attempt (type, callback URL without query, outcome, what comes next); no secret. */
      log?: ((line: string) => void) | undefined;
    },
  ) {}

  /**
   * Queues the first attempt of `body` to `target` at once; resolves when that attempt has ended (delivered, or
   * failed and scheduled for a retry), with the delivery's log entry.
   */
  send(
    target: DeliveryTarget,
    o: { eventId: string; type: string; body: string },
  ): Promise<SandboxWebhookDelivery> {
    const url = new URL(target.callbackUrl);
    return new Promise((resolve) => {
      const record: SandboxWebhookDelivery = {
        eventId: o.eventId,
        type: o.type,
        subscriptionId: target.subscriptionId,
        clientId: target.clientId,
        organizationId: target.organizationId,
        callbackUrl: withoutQuery(url),
        body: o.body,
        state: 'pending',
        attempts: [],
      };
      const delivery: Delivery = {
        record,
        url,
        secret: target.secret,
        firstAttemptDone: () => resolve(copy(record)),
      };
      if (this.#closed) {
        record.state = 'failed';
        delivery.firstAttemptDone();
        return;
      }
      this.#log.push(delivery);
      if (this.#log.length > WEBHOOK_DELIVERY_LOG_SIZE) this.#log.shift();
      this.#enqueue(delivery);
      this.#run();
    });
  }

  /** The log, oldest first: copies, so a test's snapshot does not change under it. */
  deliveries(): SandboxWebhookDelivery[] {
    return this.#log.map((d) => copy(d.record));
  }

  /** Re-reads the emulator clock: attempts now due start, the timer waits for the next one. */
  wake(): void {
    this.#run();
  }

  /** Stops every timer and cuts every attempt on the wire; later deliveries fail at once. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const request of this.#inFlight) request.destroy();
    for (const delivery of this.#waiting) this.#giveUp(delivery);
  }

  #enqueue(delivery: Delivery): void {
    this.#waiting.add(delivery);
    // The oldest waiting delivery is given up past the capacity: a callback that never answers cannot grow the queue.
    if (this.#waiting.size > WEBHOOK_PENDING_CAPACITY) {
      const oldest = this.#waiting.values().next().value as Delivery;
      this.#giveUp(oldest);
    }
  }

  #giveUp(delivery: Delivery): void {
    this.#waiting.delete(delivery);
    delivery.record.state = 'failed';
    delete delivery.record.nextAttemptAt;
    delivery.firstAttemptDone();
  }

  #run(): void {
    if (this.#closed) return;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const now = this.o.now();
    let next = Number.POSITIVE_INFINITY;
    for (const delivery of this.#waiting) {
      const due = delivery.record.nextAttemptAt ?? now;
      if (due > now) {
        next = Math.min(next, due);
        continue;
      }
      if (this.#inFlight.size >= WEBHOOK_MAX_IN_FLIGHT) break;
      this.#waiting.delete(delivery);
      this.#attempt(delivery);
    }
    if (next !== Number.POSITIVE_INFINITY) {
      // The clock follows real time between advances, so the wait in real ms is the wait by the clock.
      this.#timer = setTimeout(() => this.#run(), Math.min(next - now, 2 ** 31 - 1));
      this.#timer.unref();
    }
  }

  #attempt(delivery: Delivery): void {
    const { record } = delivery;
    if (!this.o.isLive(record.subscriptionId)) {
      this.#giveUp(delivery);
      return;
    }
    const at = this.o.now();
    const timestamp = Math.floor(at / 1000);
    const headers = {
      'Content-Type': 'application/json',
      'Content-Length': String(Buffer.byteLength(record.body)),
      [QONTO_SIGNATURE_HEADER]: qontoSignature(delivery.secret, timestamp, record.body),
      'User-Agent': 'qonto-sandbox-webhooks',
    };
    const send = delivery.url.protocol === 'https:' ? httpsRequest : httpRequest;
    let ended = false;
    const end = (outcome: Omit<SandboxWebhookAttempt, 'at'>) => {
      if (ended) return;
      ended = true;
      this.#finish(delivery, { at, ...outcome });
    };
    const request = send(delivery.url, { method: 'POST', headers, agent: false });
    this.#inFlight.add(request);
    // The deadline also cuts a callback that answered but keeps its body open: no socket outlives 1 s.
    const deadline = setTimeout(() => {
      end({ error: 'timeout' });
      request.destroy();
    }, WEBHOOK_TIMEOUT_MS);
    request.on('response', (response) => {
      end({ status: response.statusCode ?? 0 });
      response.resume();
    });
    request.on('error', () => end({ error: 'connection' }));
    request.on('close', () => {
      clearTimeout(deadline);
      this.#inFlight.delete(request);
      end({ error: 'connection' });
      this.#run();
    });
    request.end(record.body);
  }

  #finish(delivery: Delivery, attempt: SandboxWebhookAttempt): void {
    const { record } = delivery;
    record.attempts.push(attempt);
    const ok = attempt.status !== undefined && attempt.status >= 200 && attempt.status < 300;
    const delay = this.o.retryDelaysMs[record.attempts.length - 1];
    if (ok) {
      record.state = 'delivered';
      delete record.nextAttemptAt;
    } else if (delay === undefined || this.#closed) {
      record.state = 'failed';
      delete record.nextAttemptAt;
    } else {
      record.nextAttemptAt = attempt.at + delay;
      this.#enqueue(delivery);
    }
    this.o.log?.(
      `webhook ${record.type} -> ${record.callbackUrl}: ${attempt.status ?? attempt.error} (attempt ${record.attempts.length}, ${
        record.state === 'pending'
          ? `retry at ${new Date(record.nextAttemptAt as number).toISOString()}`
          : record.state
      })`,
    );
    delivery.firstAttemptDone();
    this.#run();
  }
}

function copy(record: SandboxWebhookDelivery): SandboxWebhookDelivery {
  return { ...record, attempts: record.attempts.map((a) => ({ ...a })) };
}
