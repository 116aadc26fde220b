import { InvoiceStatus } from '../../functions/lib/invoices/invoice';
import type { InvoiceBook, InvoiceView } from '../collect/invoices';
import { Findings, type CheckResult } from './check';

/**
 * Invariant 3: a settled invoice is credited exactly once. A paid invoice has exactly one
 * deposit of amount_paid_msat in its own account; one that was paid internally and then
 * settled on the node anyway has a second one of late_settlement_msat; a pending or expired
 * invoice has none; no deposit references an invoice that does not exist.
 */
export function checkInvoicesCreditedOnce(book: InvoiceBook): CheckResult {
  const findings = new Findings();
  findings.absorb(book.badReferences);
  for (const invoice of book.rows()) {
    const problem = invoiceProblem(invoice);
    if (problem) findings.add(`${invoice.id}: ${problem}`);
  }
  return findings.result({
    id: 'invoice-credited-once',
    title: 'Each invoice is credited at most once',
    rule:
      "Per invoice, the deposit entries referencing it: exactly one of amount_paid_msat when paid (plus one of late_settlement_msat when an internally paid invoice was settled on the node too), none when pending or expired, all in the invoice's account; none for an invoice that does not exist (invariant 3).",
    checked: book.checked,
  });
}

function invoiceProblem(invoice: InvoiceView): string | undefined {
  if (!invoice.hasItem) return `${invoice.deposits} deposit(s) reference an invoice that is missing or not paid`;
  const paid = invoice.status === InvoiceStatus.paid;
  const late = invoice.lateSettlementMsat !== null;
  if (late && !(paid && invoice.paidInternally)) return `late_settlement_msat is set but the invoice is ${invoice.status}${paid ? ' and was not paid internally' : ''}`;
  if (paid && invoice.amountPaidMsat === null) return 'status paid but amount_paid_msat is null';
  const expected = (paid ? 1 : 0) + (late ? 1 : 0);
  if (invoice.deposits !== expected) {
    return `status ${invoice.status}${late ? ' with a late settlement' : ''}: expected ${expected} deposit(s), found ${invoice.deposits}`;
  }
  if (expected === 0) return undefined;
  const found = invoice.depositsMsat.slice(0, expected).sort(byAmount);
  const wanted = [invoice.amountPaidMsat, invoice.lateSettlementMsat].slice(0, expected).sort(byAmount);
  if (found.some((amount, index) => amount !== wanted[index])) {
    return `deposits of ${found.join(' + ')} msat, but the invoice credits ${wanted.join(' + ')} msat`;
  }
  if (invoice.depositsInSeveralAccounts || invoice.depositAccountId !== invoice.accountId) {
    return `deposited into ${invoice.depositsInSeveralAccounts ? 'more than one account' : invoice.depositAccountId}, but the invoice belongs to ${invoice.accountId}`;
  }
  return undefined;
}

const byAmount = (a: bigint | null, b: bigint | null) => {
  const left = a ?? -1n;
  const right = b ?? -1n;
  return left < right ? -1 : left > right ? 1 : 0;
};
