/**
 * The emulator's memory bounds: it runs for days as a CLI and in other people's CI, so everything it remembers
 * expires by the emulator clock, and each kind of record has a ceiling past which the oldest go first. All are
 * emulator choices, listed in the README.
 */

/** An authorize flow (login, SMS, organization, consent pages) not finished by then is forgotten: Hydra's default. */
export const FLOW_LIFETIME_MS = 30 * 60 * 1000;
/** A login to the emulated sandbox web app lasts this long. */
export const WEB_APP_SESSION_LIFETIME_MS = 24 * 60 * 60 * 1000;
/** At most this many unfinished flows, and as many web-app sessions; past it the oldest are forgotten. */
export const BROWSER_STATE_CAPACITY = 10_000;
/**
 * How long a code or token is remembered after it stopped working, so that using it then is answered with the
 * reason (expired, already used) rather than "unknown", and revoking it still reaches its grant.
 */
export const FORGET_AFTER_MS = 60 * 60 * 1000;
/** At most this many codes, access tokens and refresh tokens each; past it the oldest are forgotten. */
export const GRANT_STORE_CAPACITY = 100_000;
/** `sandbox.requests` keeps the most recent requests, this many. */
export const REQUEST_LOG_SIZE = 1000;
/** `sandbox.webhookDeliveries()` keeps the most recent deliveries, this many. */
export const WEBHOOK_DELIVERY_LOG_SIZE = 1000;
/** At most this many deliveries wait for an attempt; past it the oldest waiting one is given up (`failed`). */
export const WEBHOOK_PENDING_CAPACITY = 1000;
/** At most this many deliveries are on the wire at once; the others wait their turn. */
export const WEBHOOK_MAX_IN_FLIGHT = 16;
/** At most this many webhook subscriptions per app and organization (Qonto documents no limit). */
export const WEBHOOK_SUBSCRIPTIONS_PER_APP = 100;
/** At most this many webhook subscriptions in one emulator, all apps together. */
export const WEBHOOK_SUBSCRIPTION_CAPACITY = 10_000;
