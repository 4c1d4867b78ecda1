/**
 * French IBANs with valid check digits (ISO 13616 mod-97) and a valid RIB key, so IBAN validators in the code under
 * test accept them. Bank code 16798 (Treezor) matches the BIC `TRZOFR21XXX` of the example on
 * https://docs.qonto.com/api-reference/business-api/accounts-organizations/organizations/retrieve-the-authenticated-organization-and-list-bank-accounts.
 */

/** The BIC shown with Qonto's example bank account. */
export const SEED_BIC = 'TRZOFR21XXX';
const BANK_CODE = '16798';

/** `value` (digits only) modulo 97, digit by digit so that long numbers stay exact. */
function mod97(digits: string): number {
  let rest = 0;
  for (const d of digits) rest = (rest * 10 + Number(d)) % 97;
  return rest;
}

/** The two-digit French RIB key of bank + branch + account (all digits). */
export function ribKey(bank: string, branch: string, account: string): string {
  const key = 97 - mod97(`${bank}${branch}${account}00`);
  return String(key).padStart(2, '0');
}

/** The IBAN check digits for a country and BBAN. */
export function ibanCheckDigits(country: string, bban: string): string {
  const letters = `${bban}${country}00`.replace(/[A-Z]/g, (c) => String(c.charCodeAt(0) - 55));
  return String(98 - mod97(letters)).padStart(2, '0');
}

/** Whether an IBAN's mod-97 check holds. */
export function isValidIban(iban: string): boolean {
  const compact = iban.replace(/\s+/g, '').toUpperCase();
  if (!/^[A-Z]{2}\d{2}[A-Z0-9]+$/.test(compact)) return false;
  const rearranged = `${compact.slice(4)}${compact.slice(0, 4)}`.replace(/[A-Z]/g, (c) =>
    String(c.charCodeAt(0) - 55),
  );
  return mod97(rearranged) === 1;
}

/** A French IBAN (FR76…) from a 5-digit branch code and an 11-digit account number. */
export function frenchIban(branch: string, account: string): string {
  const bban = `${BANK_CODE}${branch}${account}${ribKey(BANK_CODE, branch, account)}`;
  return `FR${ibanCheckDigits('FR', bban)}${bban}`;
}
