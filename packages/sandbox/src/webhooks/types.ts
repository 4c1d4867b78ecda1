/** One try of a delivery: when it started (emulator clock, epoch ms) and what came back. */
export interface SandboxWebhookAttempt {
  at: number;
  /** The callback's HTTP status, when it answered within 1 s. */
  status?: number;
  /** Why there is no status: no answer within 1 s (`timeout`), or no connection (`connection`). */
  error?: 'timeout' | 'connection';
}

/**
 * One event sent to one subscription, as `sandbox.webhookDeliveries()` lists it. Holds no secret: not the
 * subscription's signing secret, not the signature, and the callback URL without its query string.
 */
export interface SandboxWebhookDelivery {
  /** The envelope's `id`; a retry sends the same envelope. */
  eventId: string;
  type: string;
  subscriptionId: string;
  clientId: string;
  organizationId: string;
  /** The callback URL without query string or fragment. */
  callbackUrl: string;
  /** The exact bytes POSTed (UTF-8 JSON), over which the signature is computed. */
  body: string;
  /**
   * `pending` while an attempt is due or on the wire; `delivered` once the callback answered 2xx within 1 s;
   * `failed` once every retry of the schedule failed, or the subscription was deleted meanwhile.
   */
  state: 'pending' | 'delivered' | 'failed';
  attempts: SandboxWebhookAttempt[];
  /** When the next attempt is due (emulator clock, epoch ms), while `pending` after a failed attempt. */
  nextAttemptAt?: number;
}

/** Options of `sandbox.emitWebhook`. */
export interface SandboxEmitWebhookOptions {
  organizationId: string;
  /** One of `QONTO_WEBHOOK_TYPES`, e.g. `v1/organizations`. */
  type: string;
  /** The envelope's `data`, sent as given (e.g. `{ event: 'suspended' }`). */
  data: Record<string, unknown>;
  /** Only the subscriptions of this app; every app's subscriptions to `type` in the organization otherwise. */
  clientId?: string;
}

/** Options of `sandbox.revokeConsent`. */
export interface SandboxRevokeConsentOptions {
  clientId: string;
  organizationId: string;
  /** The member who revokes; every member of the organization who consented to the app when absent. */
  email?: string;
}
