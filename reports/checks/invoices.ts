import { InvoiceStatus } from '../../functions/lib/invoices/invoice';
import type { InvoiceBook, InvoiceState } from '../collect/invoices';
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
  for (const [invoiceId, invoice] of book.invoices) {
    const problem = invoiceProblem(invoice);
    if (problem) findings.add(`${invoiceId}: ${problem}`);
  }
  return findings.result({
    id: 'invoice-credited-once',
    title: 'Each invoice is credited at most once',
    rule:
      'Per invoice, the deposit entries referencing it: exactly one of amount_paid_msat when paid (plus one of late_settlement_msat when an internally paid invoice was settled on the node too), none when pending or expired, all in the invoice\'s account; none for an invoice that does not exist (invariant 3).',
    checked: book.invoices.size,
  });
}

function invoiceProblem(invoice: InvoiceState): string | undefined {
  if (!invoice.hasItem) return `${invoice.deposits} deposit(s) reference an invoice that does not exist`;
  const paid = invoice.status === InvoiceStatus.paid;
  const late = invoice.lateSettlementMsat !== null;
  if (late && !(paid && invoice.paidInternally)) return `late_settlement_msat is set but the invoice is ${invoice.status}${paid ? ' and was not paid internally' : ''}`;
  if (paid && invoice.amountPaidMsat === null) return 'status paid but amount_paid_msat is null';
  const expected = (paid ? 1 : 0) + (late ? 1 : 0);
  if (invoice.deposits !== expected) {
    return `status ${invoice.status}${late ? ' with a late settlement' : ''}: expected ${expected} deposit(s), found ${invoice.deposits}`;
  }
  if (expected === 0) return undefined;
  const found = [invoice.firstDepositMsat, invoice.secondDepositMsat].slice(0, expected).sort(byValue);
  const wanted = [invoice.amountPaidMsat, invoice.lateSettlementMsat].slice(0, expected).sort(byValue);
  if (found.some((amount, index) => amount !== wanted[index])) {
    return `deposits of ${found.join(' + ')} msat, but the invoice credits ${wanted.join(' + ')} msat`;
  }
  if (invoice.depositsInOtherAccounts > 0 || invoice.depositAccountId !== invoice.accountId) {
    return `deposited into ${invoice.depositAccountId}${invoice.depositsInOtherAccounts > 0 ? ' and another account' : ''}, but the invoice belongs to ${invoice.accountId}`;
  }
  return undefined;
}

// Compared, never subtracted: no arithmetic on money outside BigInt.
const byValue = (a: number | null, b: number | null) => ((a ?? -1) < (b ?? -1) ? -1 : (a ?? -1) > (b ?? -1) ? 1 : 0);
