import type { TransferBook } from '../collect/transfers';
import { Findings, type CheckResult } from './check';

/** A transfer moved its amount out of one account and into the other, exactly once each. */
export function checkTransfersBalanced(book: TransferBook): CheckResult {
  const findings = new Findings();
  findings.absorb(book.badReferences);
  for (const transfer of book.rows()) {
    if (!transfer.hasItem) {
      findings.add(`${transfer.id}: ledger entries reference a transfer that does not exist`);
      continue;
    }
    const amount = transfer.amountMsat;
    if (transfer.out.count !== 1 || transfer.out.firstMsat !== -amount) {
      findings.add(`${transfer.id}: expected one transfer_out of ${-amount} msat, found ${transfer.out.count}${transfer.out.count ? ` (first ${transfer.out.firstMsat})` : ''}`);
    } else if (transfer.in.count !== 1 || transfer.in.firstMsat !== amount) {
      findings.add(`${transfer.id}: expected one transfer_in of ${amount} msat, found ${transfer.in.count}${transfer.in.count ? ` (first ${transfer.in.firstMsat})` : ''}`);
    } else if (transfer.outAccountId !== transfer.fromAccountId || transfer.inAccountId !== transfer.toAccountId) {
      findings.add(`${transfer.id}: moved ${transfer.outAccountId} → ${transfer.inAccountId}, but the transfer says ${transfer.fromAccountId} → ${transfer.toAccountId}`);
    }
  }
  return findings.result({
    id: 'transfer-balanced',
    title: 'Each transfer moves its amount exactly once',
    rule: 'Per transfer: one `transfer_out` of −amount_msat in from_account_id and one `transfer_in` of +amount_msat in to_account_id; no entry references a transfer that does not exist.',
    checked: book.size,
  });
}
