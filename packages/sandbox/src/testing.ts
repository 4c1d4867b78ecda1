/**
 * Test helpers for code that connects to Qonto through the emulator.
 *
 * @module @qonto-oauth/sandbox/testing
 */
import { createBrowser } from './browser.js';
import { SANDBOX_SMS_CODE } from './demo.js';

export { type CookieJarFetch, createCookieJarFetch, type JarCookie } from './browser.js';

/** Options of {@link completeAuthorization}. */
export interface CompleteAuthorizationOptions {
  email: string;
  password: string;
  /** The organization to pick when the picker appears (a user with several organizations and no `organization_id`). */
  organizationId?: string;
  /** The SMS code to type; Qonto's sandbox code, `123456`, by default. */
  smsCode?: string;
  /** Press "Deny" on the consent page: the app then gets `error=access_denied`. */
  deny?: boolean;
}

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&lt;': '<',
  '&gt;': '>',
  '&quot;': '"',
  '&#39;': "'",
};
const unescapeHtml = (s: string) => s.replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e] ?? e);
const textOf = (html: string) =>
  unescapeHtml(html.replace(/<style[\s\S]*?<\/style>/g, '').replace(/<[^>]+>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();

/** The emulator's pages mark their step and their one form in a fixed shape (see `src/html.ts`). */
function readPage(html: string) {
  const step = /<meta name="qonto-sandbox-step" content="([^"]*)">/.exec(html)?.[1];
  const form = /<form method="post" action="([^"]+)" data-step="[^"]*">([\s\S]*?)<\/form>/.exec(html);
  const fields: Record<string, string> = {};
  for (const [, name, value] of (form?.[2] ?? '').matchAll(
    /<input type="hidden" name="([^"]*)" value="([^"]*)">/g,
  )) {
    fields[unescapeHtml(name as string)] = unescapeHtml(value as string);
  }
  const error = /<p class="error" role="alert">([\s\S]*?)<\/p>/.exec(html)?.[1];
  const main = /<main>([\s\S]*)<\/main>/.exec(html)?.[1] ?? html;
  const organizations = [...html.matchAll(/data-organization-id="([^"]*)">([^<]*)<\/button>/g)].map(
    ([, id, name]) => `${unescapeHtml(id as string)} (${unescapeHtml(name as string)})`,
  );
  return {
    step,
    action: form?.[1],
    fields,
    organizations,
    error: error && textOf(error),
    text: textOf(main),
  };
}

/**
 * Plays a user's browser through the emulator's authorize pages and returns the URL the browser is finally sent
 * to (the app's callback with `code` and `state`, or `error=access_denied`), without fetching it.
 *
 * On the way it keeps cookies like a browser, logs in to the sandbox web app first (as Qonto's sandbox requires),
 * logs in with `email` and `password`, types the SMS code, picks `organizationId` when the organization picker
 * appears (and throws, listing the ids, when none was given), then allows or denies. An error page (unknown client,
 * unregistered redirect URI, missing CSRF cookie, …) or a refused login throws with the page's text.
 *
 * @example
 * const { url, state, codeVerifier } = await oauth.createAuthorizationRequest();
 * const callback = new URL(await completeAuthorization(url, sandbox.users[0]!));
 * const tokens = await oauth.exchangeCode({ code: callback.searchParams.get('code')!, codeVerifier });
 */
export async function completeAuthorization(
  authorizationUrl: string,
  o: CompleteAuthorizationOptions,
): Promise<string> {
  const emulator = new URL(authorizationUrl).origin;
  const browse = createBrowser();
  const isEmulatorPage = (url: URL) =>
    url.origin === emulator && (url.pathname.startsWith('/oauth2/') || url.pathname.startsWith('/devportal'));

  const done = new Set<string>();
  let url = authorizationUrl;
  let response = await browse(url);
  for (let hop = 0; hop < 25; hop++) {
    const location = response.location;
    if (response.status >= 300 && response.status < 400 && location) {
      const target = new URL(location, url);
      if (!isEmulatorPage(target)) return target.href;
      url = target.href;
      response = await browse(url);
      continue;
    }
    const page = readPage(response.html);
    if (page.step === 'error' || page.step === undefined || !page.action) {
      throw new Error(
        `The Qonto sandbox emulator showed an error page (HTTP ${response.status}): ${page.text}`,
      );
    }
    if (page.error || done.has(page.step)) {
      throw new Error(
        `The Qonto sandbox emulator refused the ${page.step} step for ${o.email}: ${page.error ?? page.text}`,
      );
    }
    const fields = { ...page.fields };
    if (page.step === 'login') Object.assign(fields, { email: o.email, password: o.password });
    else if (page.step === 'sms') fields.code = o.smsCode ?? SANDBOX_SMS_CODE;
    else if (page.step === 'consent') fields.decision = o.deny ? 'deny' : 'allow';
    else if (page.step === 'organization') {
      const chosen = o.organizationId;
      if (chosen === undefined || !page.organizations.some((entry) => entry.startsWith(`${chosen} (`))) {
        throw new Error(
          `${o.email} belongs to several organizations and the emulator asks which one to connect: pass organizationId, one of ${page.organizations.join(', ')}` +
            (chosen === undefined ? '.' : ` (${chosen} is not among them).`),
        );
      }
      fields.organization_id = chosen;
    }
    done.add(page.step);
    url = new URL(page.action, url).href;
    response = await browse(url, fields);
  }
  throw new Error(
    'completeAuthorization went through 25 pages without reaching the callback: the emulator is looping.',
  );
}
