/**
 * Scrubbing of secrets from server-supplied text (an `error_description`, a `Location`, a JSON:API `detail`) before
 * it reaches an error message. A server may echo what it received, and it received the secrets in some encoding:
 * raw in a header, form-encoded in the token request body, JSON-escaped in a JSON answer, HTML-escaped in a page,
 * base64 in a Basic header, upper-cased by a careless template. Rather than list every mix of encodings, the text is
 * searched through several decoded views of it (HTML entities, percent-escapes and JSON escapes undone, in every
 * order, letter case folded), each character of a view remembering which characters of the original it came from,
 * so a match in any view blanks the original characters it covers.
 */

/** What a scrubbed secret is replaced with. */
export const REDACTED = '[redacted]';

/**
 * Shorter values are not scrubbed: they cannot be told apart from ordinary words (a test code `c` would eat every
 * `c` of a message), and no Qonto secret is that short.
 */
export const MIN_SECRET_LENGTH = 6;

/**
 * Forms of `secret` searched for in every decoded view of a text (case-folded): the secret itself, the encodings
 * that decoding cannot undo (`+` for a space), and the base64 of it (standard and URL-safe) at each of the three
 * alignments it can have inside a longer base64 string, without the edge characters it shares with its neighbours.
 */
export function secretForms(secret: string): string[] {
  const form = new URLSearchParams({ s: secret }).toString().slice(2);
  const forms = new Set([secret, form, encodeURIComponent(secret)]);
  for (const text of [...forms]) for (const fragment of base64Fragments(text)) forms.add(fragment);
  return [...forms].filter((f) => f.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/**
 * `text` with every occurrence of each secret replaced by `[redacted]`: raw, URL- or form-encoded (either hex case),
 * JSON-escaped, HTML-escaped (named or numeric entities, hex or decimal), base64 (standard or URL-safe), in another
 * letter case, or any mix of these. Missing secrets and those shorter than 6 characters (`MIN_SECRET_LENGTH`) are ignored.
 * Where matches overlap, their union is blanked: printing less is the safe side.
 */
export function redactSecrets(text: string, secrets: Iterable<string | undefined>): string {
  if (typeof text !== 'string' || text === '') return typeof text === 'string' ? text : '';
  const needles = needlesOf(secrets);
  if (needles.size === 0) return text;
  const spans: [number, number][] = [];
  for (const view of decodedViews(text)) {
    const folded = foldCase(view.text);
    for (const needle of needles) {
      for (let at = folded.indexOf(needle); at !== -1; at = folded.indexOf(needle, at + 1)) {
        spans.push([view.from[at]!, view.to[at + needle.length - 1]!]);
      }
    }
  }
  return blank(text, spans);
}

/**
 * A URL's host (`URL.host`) scrubbed of `secrets`, or `undefined` when it is not a plain host name. The URL parser
 * already undid percent-escapes, and a host made only of letters, digits, `.`, `-` and `_` (a port, an IPv6
 * literal) cannot hold an HTML entity, a JSON escape or a `+`: the host itself, lower-cased, is the only text to
 * search. Cheaper than {@link redactSecrets}, for the one place that shows a server's URL.
 */
export function redactHost(host: string, secrets: Iterable<string | undefined>): string | undefined {
  const folded = host.toLowerCase();
  if (!/^(?:[\w.-]+|\[[\da-f:.]+\])(?::\d+)?$/.test(folded)) return undefined;
  const spans: [number, number][] = [];
  for (const needle of needlesOf(secrets)) {
    for (let at = folded.indexOf(needle); at !== -1; at = folded.indexOf(needle, at + 1)) {
      spans.push([at, at + needle.length]);
    }
  }
  return blank(folded, spans);
}

/** Every form of every secret long enough to scrub, case-folded. */
function needlesOf(secrets: Iterable<string | undefined>): Set<string> {
  const needles = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret === 'string' && secret.length >= MIN_SECRET_LENGTH)
      for (const f of secretForms(secret)) needles.add(foldCase(f));
  }
  return needles;
}

/**
 * `value` with {@link redactSecrets} applied to every string in it, object keys included (JSON-like data: a
 * JSON:API error object). Deeper than `maxDepth`, or past `maxItems` entries per level, is dropped.
 */
export function redactDeep(
  value: unknown,
  secrets: readonly (string | undefined)[],
  o: { maxDepth?: number; maxItems?: number; maxString?: number } = {},
): unknown {
  const maxDepth = o.maxDepth ?? 4;
  const maxItems = o.maxItems ?? 20;
  const maxString = o.maxString ?? 500;
  const walk = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return cut(redactSecrets(v, secrets), maxString);
    if (typeof v !== 'object' || v === null) return typeof v === 'function' ? undefined : v;
    if (depth >= maxDepth) return undefined;
    if (Array.isArray(v)) return v.slice(0, maxItems).map((item) => walk(item, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(v).slice(0, maxItems)) {
      out[cut(redactSecrets(key, secrets), 100)] = walk(item, depth + 1);
    }
    return out;
  };
  return walk(value, 0);
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

/** `text` cut to `max` characters, with an ellipsis when something was dropped. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}

/** A text as one decoding shows it: character `i` of `text` came from characters `from[i]` to `to[i] - 1` of the original. */
interface View {
  text: string;
  from: number[];
  to: number[];
}

type Decoder = (view: View) => View;

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  sol: '/',
  bsol: '\\',
  plus: '+',
  equals: '=',
  percnt: '%',
  colon: ':',
  period: '.',
  lowbar: '_',
  num: '#',
  excl: '!',
  quest: '?',
  commat: '@',
  comma: ',',
  semi: ';',
  nbsp: ' ',
};

const decodeHtml: Decoder = (view) =>
  decodeMatches(view, /&(?:#[xX]([0-9a-fA-F]{1,6});?|#([0-9]{1,7});?|([A-Za-z]{2,8});)/g, (m) => {
    if (m[3] !== undefined) return NAMED_ENTITIES[m[3].toLowerCase()];
    const code = m[1] !== undefined ? Number.parseInt(m[1], 16) : Number(m[2]);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : undefined;
  });

const decodePercent: Decoder = (view) =>
  decodeMatches(view, /%([0-7][0-9a-fA-F])|((?:%[89a-fA-F][0-9a-fA-F])+)/g, (m) => {
    if (m[1] !== undefined) return String.fromCharCode(Number.parseInt(m[1], 16));
    const bytes = (m[2] ?? '').slice(1).split('%');
    return new TextDecoder().decode(Uint8Array.from(bytes, (b) => Number.parseInt(b, 16)));
  });

const JSON_ESCAPES: Record<string, string> = {
  '"': '"',
  '\\': '\\',
  '/': '/',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
};

const decodeJson: Decoder = (view) =>
  decodeMatches(view, /\\u([0-9a-fA-F]{4})|\\(["\\/bfnrt])/g, (m) =>
    m[1] !== undefined ? String.fromCharCode(Number.parseInt(m[1], 16)) : JSON_ESCAPES[m[2] ?? ''],
  );

const DECODERS: readonly Decoder[] = [decodeHtml, decodePercent, decodeJson];

/** The text as is, then undecoded by every sequence of distinct decoders (each order: an encoding of an encoding). */
function decodedViews(text: string): View[] {
  const from = [...Array(text.length).keys()];
  const identity: View = { text, from, to: from.map((i) => i + 1) };
  const views: View[] = [identity];
  const seen = new Set([text]);
  const grow = (view: View, used: readonly Decoder[]) => {
    for (const decoder of DECODERS) {
      if (used.includes(decoder)) continue;
      const next = decoder(view);
      // Nothing decoded: every order from here is one already tried from `view` without this decoder.
      if (next.text === view.text) continue;
      if (!seen.has(next.text)) {
        seen.add(next.text);
        views.push(next);
      }
      grow(next, [...used, decoder]);
    }
  };
  grow(identity, []);
  return views;
}

/** `view` with each match of `pattern` replaced by what `decode` gives (left alone when `undefined`). */
function decodeMatches(
  view: View,
  pattern: RegExp,
  decode: (m: RegExpExecArray) => string | undefined,
): View {
  const out: View = { text: '', from: [], to: [] };
  const copy = (start: number, end: number) => {
    out.text += view.text.slice(start, end);
    for (let i = start; i < end; i++) {
      out.from.push(view.from[i]!);
      out.to.push(view.to[i]!);
    }
  };
  let last = 0;
  for (const m of view.text.matchAll(pattern)) {
    const decoded = decode(m);
    if (decoded === undefined) continue;
    copy(last, m.index);
    const from = view.from[m.index]!;
    const to = view.to[m.index + m[0].length - 1]!;
    out.text += decoded;
    for (let i = 0; i < decoded.length; i++) {
      out.from.push(from);
      out.to.push(to);
    }
    last = m.index + m[0].length;
  }
  copy(last, view.text.length);
  return out;
}

/** `text` lower-cased character by character, so its length and positions stay the same. */
function foldCase(text: string): string {
  const lower = text.toLowerCase();
  // Only a few letters (the dotted capital I, U+0130) grow when lower-cased: then fold one character at a time.
  if (lower.length === text.length) return lower;
  return text.replace(/[\s\S]/g, (c) => (c.toLowerCase().length === 1 ? c.toLowerCase() : c));
}

/** The characters of the base64 of `text` (UTF-8) that stay the same wherever it sits in a longer base64 string. */
function base64Fragments(text: string): string[] {
  const bytes = new TextEncoder().encode(text);
  const fragments: string[] = [];
  for (let offset = 0; offset < 3; offset++) {
    // `offset` bytes before, two after, so no padding; keep only the characters made of the text's bits alone.
    const padded = new Uint8Array(offset + bytes.length + 2);
    padded.set(bytes, offset);
    let binary = '';
    for (const byte of padded) binary += String.fromCharCode(byte);
    const encoded = btoa(binary);
    const start = Math.ceil((offset * 8) / 6);
    const end = Math.floor(((offset + bytes.length) * 8) / 6);
    const fragment = encoded.slice(start, end);
    if (fragment.length >= MIN_SECRET_LENGTH) {
      fragments.push(fragment, fragment.replace(/\+/g, '-').replace(/\//g, '_'));
    }
  }
  return fragments;
}

/** `text` with the union of `spans` replaced by {@link REDACTED}, one marker per run of overlapping spans. */
function blank(text: string, spans: [number, number][]): string {
  if (spans.length === 0) return text;
  spans.sort((a, b) => a[0] - b[0]);
  let result = '';
  let last = 0;
  let current: [number, number] | undefined;
  for (const span of spans) {
    if (current !== undefined && span[0] <= current[1]) {
      current[1] = Math.max(current[1], span[1]);
      continue;
    }
    if (current !== undefined) {
      result += text.slice(last, current[0]) + REDACTED;
      last = current[1];
    }
    current = [span[0], span[1]];
  }
  if (current !== undefined) result += text.slice(last, current[0]) + REDACTED + text.slice(current[1]);
  return result;
}
