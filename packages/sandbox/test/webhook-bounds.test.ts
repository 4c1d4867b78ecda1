import { describe, expect, it } from 'vitest';
import { WEBHOOK_DELIVERY_LOG_SIZE, WEBHOOK_MAX_IN_FLIGHT, WEBHOOK_PENDING_CAPACITY } from '../src/limits.js';
import { WebhookDispatcher } from '../src/webhooks/deliveries.js';
import { startReceiver } from './webhook-receiver.js';

const target = (callbackUrl: string) => ({
  subscriptionId: 'sub-1',
  clientId: 'app',
  organizationId: 'org-1',
  callbackUrl,
  secret: 's'.repeat(32),
});

describe('webhook delivery bounds', () => {
  it('keeps a callback that never answers from holding more than the in-flight and waiting limits', async () => {
    const receiver = await startReceiver();
    receiver.answers.push(...Array<'hang'>(WEBHOOK_MAX_IN_FLIGHT).fill('hang'));
    const dispatcher = new WebhookDispatcher({ now: Date.now, retryDelaysMs: [60_000], isLive: () => true });
    const extra = 5;
    const total = WEBHOOK_MAX_IN_FLIGHT + WEBHOOK_PENDING_CAPACITY + extra;
    const firstAttempts = Array.from({ length: total }, (_, i) =>
      dispatcher.send(target(receiver.url), { eventId: `e${i}`, type: 'v1/cards', body: '{}' }),
    );
    // The oldest waiting ones were given up at once: the queue stays at its capacity.
    const given = await Promise.all(
      firstAttempts.slice(WEBHOOK_MAX_IN_FLIGHT, WEBHOOK_MAX_IN_FLIGHT + extra),
    );
    expect(given.map((d) => [d.state, d.attempts.length])).toEqual(Array(extra).fill(['failed', 0]));
    const log = dispatcher.deliveries();
    expect(log).toHaveLength(WEBHOOK_DELIVERY_LOG_SIZE);
    // The log keeps the newest: the ones in flight and those given up have left it.
    expect(log[0]!.eventId).toBe(`e${total - WEBHOOK_DELIVERY_LOG_SIZE}`);
    expect(log.every((d) => d.state === 'pending' && d.attempts.length === 0)).toBe(true);
    // Closing cuts the attempts on the wire and gives up the waiting ones: nothing is left pending.
    dispatcher.close();
    await Promise.all(firstAttempts);
    expect(dispatcher.deliveries().filter((d) => d.state === 'pending')).toEqual([]);
  });
});
