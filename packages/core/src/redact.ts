/**
 * Scrubbing of secrets from server-supplied text (an `error_description`, an HTML page, a JSON:API `detail`) before
 * it reaches an error message. A server may echo what it received, and it received the secrets in some encoding:
 * raw in a header, form-encoded in the token request body, JSON-escaped in a JSON answer, HTML-escaped in a page.
 */

/** What a scrubbed secret is replaced with. */
export const REDACTED = '[redacted]';

/**
 * Shorter values are not scrubbed: they cannot be told apart from ordinary words (a test code `c` would eat every
 * `c` of a message), and no Qonto secret is that short.
 */
export const MIN_SECRET_LENGTH = 6;

/** Every form in which `secret` may come back inside server text, longest first. */
export function secretForms(secret: string): string[] {
  const uri = encodeURIComponent(secret);
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  const json = JSON.stringify(secret).slice(1, -1);
  const forms = new Set([
    secret,
    uri,
    form,
    form.replace(/\+/g, '%20'),
    lowerPercent(uri),
    lowerPercent(form),
    json,
    json.replace(/\//g, '\\/'),
    asciiJson(json),
    escapeHtml(secret),
    escapeHtml(json),
  ]);
  return [...forms].sort((a, b) => b.length - a.length);
}

/**
 * `text` with every occurrence of each secret (raw, URL-encoded, form-encoded with `+` for space, JSON-escaped or
 * HTML-escaped) replaced by `[redacted]`. Missing secrets and those shorter than {@link MIN_SECRET_LENGTH} are
 * ignored.
 */
export function redactSecrets(text: string, secrets: Iterable<string | undefined>): string {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret === 'string' && secret.length >= MIN_SECRET_LENGTH)
      for (const f of secretForms(secret)) forms.add(f);
  }
  let result = text;
  for (const f of [...forms].sort((a, b) => b.length - a.length)) result = result.split(f).join(REDACTED);
  return result;
}

/**
 * The secrets one client sent (client secret, staging token, codes, verifiers, tokens), so everything the server
 * says back can be scrubbed of them.
 */
export class SecretCollector {
  readonly #secrets = new Set<string>();

  /** Remembers each non-empty value as a secret. */
  add(...values: (string | undefined)[]): this {
    for (const value of values) if (typeof value === 'string' && value !== '') this.#secrets.add(value);
    return this;
  }

  /** The secrets collected so far. */
  get values(): string[] {
    return [...this.#secrets];
  }

  /** `text` scrubbed of every collected secret and of `extra` ones. */
  redact(text: string, ...extra: (string | undefined)[]): string {
    return redactSecrets(text, [...this.#secrets, ...extra]);
  }
}

function lowerPercent(encoded: string): string {
  return encoded.replace(/%[0-9A-F]{2}/g, (m) => m.toLowerCase());
}

/** JSON as serialisers with "ASCII only" write it: every non-ASCII character as `\uXXXX`. */
function asciiJson(json: string): string {
  return json.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
