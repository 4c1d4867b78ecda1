import { DECLINED_MESSAGE } from './views.js';

/** What the person reads on `/connect-failed?error=…`: the app's own words for a code, never the query's text. */
export interface ConnectFailure {
  status: number;
  title: string;
  message: string;
}

const CONFIGURATION =
  'A configuration problem on our side stopped the connection; the server log says what to fix.';
const UNREACHABLE = 'Qonto is not reachable right now. Try again shortly.';

/**
 * The error codes Better Auth (and `qonto()`, which replaces its `invalid_code` with the Qonto cause) put on the
 * error URL, each with the status and text of the page. Anything else gets {@link UNKNOWN}, and its code.
 */
const FAILURES: Record<string, ConnectFailure> = {
  access_denied: { status: 401, title: 'Connection declined', message: DECLINED_MESSAGE },
  qonto_staging_gate: { status: 502, title: 'Qonto refused the app', message: CONFIGURATION },
  qonto_invalid_client: { status: 502, title: 'Qonto refused the app', message: CONFIGURATION },
  qonto_invalid_grant: {
    status: 400,
    title: 'The connection expired',
    message: 'Qonto no longer accepts this sign-in (it is valid 10 minutes and once). Please try again.',
  },
  qonto_rate_limited: { status: 503, title: 'Qonto is busy', message: UNREACHABLE },
  qonto_timeout: { status: 504, title: 'Qonto did not answer in time', message: UNREACHABLE },
  qonto_network: { status: 502, title: 'Qonto could not be reached', message: UNREACHABLE },
  state_mismatch: {
    status: 403,
    title: 'Sign-in could not be verified',
    message:
      'The answer Qonto sent back does not match a sign-in this browser started: the link was tampered with, ' +
      'used twice, or opened in another browser. Start again from this app.',
  },
  email_does_not_match: {
    status: 409,
    title: 'Another person',
    message:
      'The Qonto member you logged in as has another email than the signed-in user, so the organization was not ' +
      'connected to this user. Log in to Qonto as yourself to connect another of your organizations.',
  },
};
// The same cases under the names Better Auth 1.6 gave them.
FAILURES["email_doesn't_match"] = FAILURES.email_does_not_match as ConnectFailure;
FAILURES.please_restart_the_process = FAILURES.state_mismatch as ConnectFailure;
FAILURES.state_not_found = FAILURES.state_mismatch as ConnectFailure;

const UNKNOWN: ConnectFailure = {
  status: 400,
  title: 'The connection did not go through',
  message: 'Something went wrong while connecting Qonto; the server log has the details. Please try again.',
};

/** What a code looks like (Better Auth's and Qonto's): anything else in `?error=` is not echoed, even escaped. */
const CODE = /^[A-Za-z0-9_']{1,60}$/;

/** The page for an error code from the query string. */
export function connectFailure(code: string | undefined): ConnectFailure & { code: string | undefined } {
  const known = code !== undefined && Object.hasOwn(FAILURES, code);
  return {
    ...(known ? (FAILURES[code] as ConnectFailure) : UNKNOWN),
    code: code !== undefined && CODE.test(code) ? code : undefined,
  };
}
