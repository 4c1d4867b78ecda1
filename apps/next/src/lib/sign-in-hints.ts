/** What the error page says: a title, what most likely happened and what to do. */
export interface SignInHint {
  title: string;
  hint: string;
}

const SANDBOX_CREDENTIALS = 'Developer Portal > your app > Sandbox credentials';

/** Hints by failure code (see sign-in-failure.ts), written for the person who has to fix it. */
const BY_FAILURE: Record<string, SignInHint> = {
  staging_gate: {
    title: "Qonto's sandbox gate answered instead of Qonto",
    hint:
      'The token request reached the sandbox without a valid X-Qonto-Staging-Token, so the sandbox answered with ' +
      `its sign-in gate. Set AUTH_QONTO_STAGING_TOKEN (or QONTO_STAGING_TOKEN) to the app's staging token (${SANDBOX_CREDENTIALS}). ` +
      'If these are production credentials, set AUTH_QONTO_ENV=production instead.',
  },
  invalid_client: {
    title: "Qonto did not recognise this app's credentials",
    hint:
      'Sandbox and production apps have different client ids and secrets: these are probably the credentials of ' +
      'the other environment. Check AUTH_QONTO_ID and AUTH_QONTO_SECRET against AUTH_QONTO_ENV (or the QONTO_* names).',
  },
  invalid_state: {
    title: 'The sign-in could not be verified',
    hint:
      'The answer Qonto sent back does not match a sign-in this browser started: the link was tampered with, used ' +
      'twice, or opened in another browser. Start again.',
  },
  access_denied: {
    title: 'Connection declined',
    hint: 'You declined the consent on Qonto, so this app has no access to your account. Connect again if that was not intended.',
  },
  invalid_grant: {
    title: 'Qonto refused the authorization code',
    hint:
      'The code had expired, was already used, or was issued for another redirect URI. Start again from "Connect ' +
      'with Qonto"; if it keeps happening, check that the registered redirect URI is exactly this app\'s callback.',
  },
  invalid_scope: {
    title: 'Qonto refused the requested scopes',
    hint: "The app asked for a scope its Qonto app is not allowed. Adjust AUTH_QONTO_SCOPES (or QONTO_SCOPES) or the app's scopes in the Developer Portal.",
  },
  config: {
    title: 'The Qonto configuration is incomplete',
    hint: 'A Qonto setting is missing or malformed; the server log names it. See the README for the variables.',
  },
  missing_secret: {
    title: 'AUTH_SECRET is not set',
    hint: 'Auth.js needs AUTH_SECRET to encrypt the session: generate one with `openssl rand -base64 33` and restart.',
  },
  missing_csrf: {
    title: 'The sign-in form expired',
    hint: 'The sign-in was sent without its anti-forgery cookie (expired, or another browser). Start again.',
  },
  network: {
    title: 'Qonto could not be reached',
    hint: 'The server could not connect to Qonto (or to the emulator at QONTO_SANDBOX_URL). Check that it is running and reachable, then try again.',
  },
  timeout: {
    title: 'Qonto did not answer in time',
    hint: 'Qonto took too long to answer. Try again in a moment.',
  },
  unexpected_response: {
    title: 'Qonto answered something unexpected',
    hint: "Qonto's answer was not the JSON the app expected: check AUTH_QONTO_ENV and QONTO_SANDBOX_URL point at Qonto. The server log has the details.",
  },
};

/** Hints by Auth.js error code (`?error=`), when the cause is unknown. */
const BY_AUTHJS_ERROR: Record<string, SignInHint> = {
  Configuration: {
    title: 'Qonto refused the sign-in, or the app is misconfigured',
    hint:
      'Most likely: a missing or wrong staging token (sandbox), or the credentials of the other environment ' +
      '(sandbox and production apps differ). The server log has the cause.',
  },
  OAuthCallbackError: {
    title: 'Qonto ended the sign-in with an error',
    hint: 'Qonto sent the user back without an authorization. Start again; the server log has what Qonto said.',
  },
  AccessDenied: {
    title: 'Access denied',
    hint: 'This app refused the sign-in. Start again, or use another Qonto account.',
  },
  MissingCSRF: BY_FAILURE.missing_csrf as SignInHint,
};

const FALLBACK: SignInHint = {
  title: 'Connecting Qonto did not work',
  hint: 'Start again. If it keeps failing, the server log has the cause.',
};

/** `failure` when it is a cause this app knows (the error page may name it), else `undefined`. */
export function knownFailure(failure: string | undefined): string | undefined {
  return failure !== undefined && Object.hasOwn(BY_FAILURE, failure) ? failure : undefined;
}

/** Auth.js's `error` when it is a code this app knows (the error page may name it), else `undefined`. */
export function knownAuthjsError(error: string | undefined): string | undefined {
  return error !== undefined && Object.hasOwn(BY_AUTHJS_ERROR, error) ? error : undefined;
}

/**
 * The hint for a failed sign-in: the specific cause when the app caught it (`failure`), else what Auth.js's error
 * code allows (`error`). Both come from the URL, so only known values select a text; nothing from it is echoed.
 */
export function signInHint(error: string | undefined, failure: string | undefined): SignInHint {
  if (failure !== undefined && Object.hasOwn(BY_FAILURE, failure)) return BY_FAILURE[failure] as SignInHint;
  if (error !== undefined && Object.hasOwn(BY_AUTHJS_ERROR, error))
    return BY_AUTHJS_ERROR[error] as SignInHint;
  return FALLBACK;
}
