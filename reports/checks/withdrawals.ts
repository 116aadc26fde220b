import { WithdrawalStatus } from '../../functions/lib/withdrawals/withdrawal';
import type { Tally } from '../collect/columns';
import { isOpen, type WithdrawalBook, type WithdrawalView } from '../collect/withdrawals';
import { Findings, type CheckResult } from './check';

/** `count` entries, all of the one expected amount (0 entries when the amount is 0). */
function tallyProblem(name: string, tally: Tally, expectedMsat: bigint): string | undefined {
  const expectedCount = expectedMsat === 0n ? 0 : 1;
  if (tally.count !== expectedCount) {
    return `expected ${expectedCount} ${name} entr${expectedCount === 1 ? 'y' : 'ies'}${expectedCount ? ` of ${expectedMsat} msat` : ''}, found ${tally.count}`;
  }
  if (expectedCount === 1 && tally.firstMsat !== expectedMsat) return `${name} entry of ${tally.firstMsat} msat, expected ${expectedMsat}`;
  return undefined;
}

function forEachWithdrawal(book: WithdrawalBook, findings: Findings, problemOf: (withdrawal: WithdrawalView) => string | undefined): number {
  let checked = 0;
  for (const withdrawal of book.rows()) {
    if (!withdrawal.hasItem) continue;
    checked++;
    const problem = problemOf(withdrawal);
    if (problem) findings.add(`${withdrawal.id} (${withdrawal.status}): ${problem}`);
  }
  return checked;
}

/**
 * Every withdrawal took amount + fee reserve from its own account exactly once, and every
 * entry that references a withdrawal references one that exists.
 */
export function checkWithdrawalsDebitedOnce(book: WithdrawalBook): CheckResult {
  const findings = new Findings();
  findings.absorb(book.badReferences);
  for (const withdrawal of book.rows()) {
    if (!withdrawal.hasItem) findings.add(`${withdrawal.id}: ledger entries reference a withdrawal that does not exist`);
  }
  const checked = forEachWithdrawal(book, findings, (withdrawal) => {
    const problem = tallyProblem('withdrawal', withdrawal.debit, -withdrawal.amountMsat) ?? tallyProblem('fee_reserve', withdrawal.feeReserve, -withdrawal.feeReserveMsat);
    if (problem) return problem;
    if (withdrawal.entriesInSeveralAccounts || withdrawal.entryAccountId !== withdrawal.accountId) {
      return `its entries are in ${withdrawal.entriesInSeveralAccounts ? 'more than one account' : withdrawal.entryAccountId}, but it belongs to ${withdrawal.accountId}`;
    }
    return undefined;
  });
  return findings.result({
    id: 'withdrawal-debited-once',
    title: 'Each withdrawal is debited exactly once',
    rule: 'Per withdrawal: one `withdrawal` entry of −amount_msat and, when fee_reserve_msat > 0, one `fee_reserve` entry of −fee_reserve_msat (none when 0), all in its own account; no entry references a withdrawal that does not exist.',
    checked,
  });
}

/**
 * Invariant 4, the refund half: a failed withdrawal got back exactly amount + reserve; a
 * pending or in-flight one got nothing back.
 */
export function checkFailedRefundedOpenNot(book: WithdrawalBook): CheckResult {
  const findings = new Findings();
  const checked = forEachWithdrawal(book, findings, (withdrawal) => {
    if (withdrawal.status === WithdrawalStatus.failed) {
      return tallyProblem('withdrawal_refund', withdrawal.refund, withdrawal.amountMsat) ?? tallyProblem('fee_refund', withdrawal.feeRefund, withdrawal.feeReserveMsat);
    }
    if (isOpen(withdrawal.status) && (withdrawal.refund.count > 0 || withdrawal.feeRefund.count > 0)) {
      return `refunded while not final: ${withdrawal.refund.count} withdrawal_refund and ${withdrawal.feeRefund.count} fee_refund entries`;
    }
    return undefined;
  });
  return findings.result({
    id: 'failed-refunded-open-not',
    title: 'Failed withdrawals fully refunded; pending and in-flight ones not refunded',
    rule: 'Per failed withdrawal: one `withdrawal_refund` of +amount_msat and one `fee_refund` of +fee_reserve_msat (none when 0). Per pending or in-flight withdrawal: no refund entries at all (invariant 4).',
    checked,
  });
}

/** A succeeded withdrawal gave back exactly the part of the reserve it did not spend on fees. */
export function checkSucceededRefundIsReserveMinusFee(book: WithdrawalBook): CheckResult {
  const findings = new Findings();
  let checked = 0;
  forEachWithdrawal(book, findings, (withdrawal) => {
    if (withdrawal.status !== WithdrawalStatus.succeeded) return undefined;
    checked++;
    if (withdrawal.feeMsat === null) return 'succeeded without fee_msat';
    const reserve = withdrawal.feeReserveMsat;
    const fee = withdrawal.feeMsat;
    if (fee < 0n || fee > reserve) return `fee_msat ${fee} is outside 0..fee_reserve_msat (${reserve})`;
    if (withdrawal.refund.count > 0) return `succeeded but has ${withdrawal.refund.count} withdrawal_refund entr${withdrawal.refund.count === 1 ? 'y' : 'ies'}`;
    return tallyProblem('fee_refund', withdrawal.feeRefund, reserve - fee);
  });
  return findings.result({
    id: 'succeeded-refund-is-reserve-minus-fee',
    title: "Each succeeded withdrawal's fee refund equals reserve − fee",
    rule: 'Per succeeded withdrawal: 0 <= fee_msat <= fee_reserve_msat, one `fee_refund` of fee_reserve_msat − fee_msat (none when that is 0), and no `withdrawal_refund`.',
    checked,
  });
}

/** Invariant 4, the payment half: a payment hash is paid at most once. */
export function checkHashPaidOnce(book: WithdrawalBook): CheckResult {
  const findings = new Findings();
  findings.absorb(book.paidTwice());
  return findings.result({
    id: 'hash-paid-once',
    title: 'Each payment hash has at most one succeeded withdrawal',
    rule: 'No two succeeded withdrawals share a payment_hash (invariant 4).',
    checked: book.succeeded,
  });
}
