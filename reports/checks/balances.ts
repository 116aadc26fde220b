import type { AccountBook } from '../collect/accounts';
import { Findings, type CheckResult } from './check';

/** Invariant 1: a balance is never negative. */
export function checkNoNegativeBalance(book: AccountBook): CheckResult {
  const findings = new Findings();
  let checked = 0;
  for (const [accountId, account] of book.accounts) {
    if (!account.hasItem) continue;
    checked++;
    if (account.balanceMsat < 0n) findings.add(`${accountId}: balance_msat is ${account.balanceMsat}`);
  }
  return findings.result({
    id: 'no-negative-balance',
    title: 'No balance is negative',
    rule: 'Every account item has balance_msat >= 0 (invariant 1).',
    checked,
  });
}

/** Invariant 2: per account, the ledger sums to the balance. */
export function checkLedgerMatchesBalance(book: AccountBook): CheckResult {
  const findings = new Findings();
  let checked = 0;
  for (const [accountId, account] of book.accounts) {
    checked++;
    if (!account.hasItem) {
      findings.add(`${accountId}: ${account.entries} ledger entries (Σ ${account.ledgerSumMsat} msat) but no account item`);
    } else if (account.ledgerSumMsat !== account.balanceMsat) {
      findings.add(
        `${accountId}: balance_msat ${account.balanceMsat} but its ${account.entries} ledger entries sum to ${account.ledgerSumMsat} (difference ${account.balanceMsat - account.ledgerSumMsat} msat)`,
      );
    }
  }
  return findings.result({
    id: 'ledger-matches-balance',
    title: 'Ledger sum equals balance, per account',
    rule: 'For every account, Σ amount_msat of its ledger entries == balance_msat, and no entry belongs to an account that does not exist (invariant 2).',
    checked,
  });
}

/** Invariant 7: money of one merchant never sits in another merchant's account. */
export function checkEntriesBelongToMerchant(book: AccountBook): CheckResult {
  const findings = new Findings();
  let checked = 0;
  for (const [accountId, account] of book.accounts) {
    if (account.entries === 0) continue;
    checked++;
    if (account.entriesOfAnotherMerchant > 0) {
      findings.add(`${accountId}: its ledger entries name more than one merchant`);
    } else if (account.hasItem && account.entryMerchantId !== account.merchantId) {
      findings.add(`${accountId}: belongs to ${account.merchantId} but its ledger entries name ${account.entryMerchantId}`);
    }
  }
  return findings.result({
    id: 'entries-match-merchant',
    title: "Every ledger entry names its account's merchant",
    rule: "Each entry's merchant_id equals the merchant_id of the account it sits in (invariant 7).",
    checked,
  });
}
