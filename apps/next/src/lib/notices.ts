/** Messages for `/?problem=<code>` after a refresh or a disconnect that did not go through; codes only, no text from the URL. */
const PROBLEMS: Record<string, string> = {
  network:
    'The tokens could not be refreshed: Qonto could not be reached. You are still connected; try again.',
  timeout:
    'The tokens could not be refreshed: Qonto did not answer in time. You are still connected; try again.',
  staging_gate:
    "The tokens could not be refreshed: Qonto's sandbox gate answered (the staging token is missing or wrong). " +
    'Fix AUTH_QONTO_STAGING_TOKEN (or QONTO_STAGING_TOKEN) and try again.',
  temporarily_unavailable:
    'The tokens could not be refreshed: Qonto is temporarily unavailable. You are still connected; try again.',
  server_error:
    'The tokens could not be refreshed: Qonto had an internal error. You are still connected; try again.',
  invalid_client:
    "The tokens could not be refreshed: Qonto refused this app's credentials (the other environment's?).",
  revoke_network:
    'Disconnecting failed: Qonto could not be reached, so the consent is still there. Try again.',
  revoke_timeout:
    'Disconnecting failed: Qonto did not answer in time, so the consent is still there. Try again.',
  revoke_api: 'Disconnecting failed: Qonto refused the revocation. The server log has its answer.',
  revoke_staging_gate:
    "Disconnecting failed: Qonto's sandbox gate answered (staging token missing or wrong).",
};

const REFRESH_FAILED =
  'The tokens could not be refreshed. You are still connected; the server log has what Qonto answered. Try again.';
const REVOKE_FAILED =
  'Disconnecting failed, so the consent is still there. The server log has what Qonto answered. Try again.';

/** The notice for a `?problem=` code; unknown codes get a generic line (nothing from the URL is shown). */
export function problemNotice(code: string | undefined): string | undefined {
  if (code === undefined) return undefined;
  if (Object.hasOwn(PROBLEMS, code)) return PROBLEMS[code];
  return code.startsWith('revoke_') ? REVOKE_FAILED : REFRESH_FAILED;
}
